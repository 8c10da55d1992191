"""OTA integrity and response rules: checksums, versions and update responses as the device compares them."""

from __future__ import annotations

import json
from collections.abc import Iterator

from auditor.capgo import updater as ota
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.lazy import LazyPattern
from auditor.engine.location import Location
from auditor.engine.model import InputKind
from auditor.engine.registry import Need, rule

ZIP = frozenset({InputKind.OTA_ZIP})
RESPONSE = frozenset({InputKind.UPDATE_RESPONSE})


def app_public_key(ctx: Context) -> str | None:
    """The app's `publicKey` from `--capacitor-config`, as a raw string, or None."""
    app = ctx.settings.capacitor_config
    plugins = app.get("plugins") if isinstance(app, dict) else None
    config = plugins.get("CapacitorUpdater") if isinstance(plugins, dict) else None
    key = config.get("publicKey") if isinstance(config, dict) else None
    return key if isinstance(key, str) and key else None


@rule(id="OTA012", name="bundle-checksum-mismatch", level=Level.ERROR, inputs=ZIP, tags=("ota", "integrity"), security_severity=8.0)
def bundle_checksum_mismatch(ctx: Context) -> Iterator[Hit]:
    """The zip does not match the checksum given with `--checksum`.

    ## What it checks
    With `--checksum VALUE`, as the device compares it (`CryptoCipher.calcChecksum`,
    `finishDownload`): a lower-case SHA-256 hex digest must equal the zip's; an
    upper-case one fails on every device (the comparison is case-sensitive); a
    256-byte value (hex or base64) is the encrypted checksum `bundle encrypt`
    prints: valid, and with `--capacitor-config` holding the app's `publicKey` it is
    decrypted (the key ships in the app, so no secret is needed) and compared.
    8 hex digits are a CRC32 (OTA013).

    ## Why it matters
    The device compares the downloaded zip with this value and refuses a
    mismatch (`checksum_fail`): a mismatch means the zip you audit is not the
    one the server announces, or it was modified in transit or storage.

    ## Example
    ```
    iwa-audit bundle.zip --checksum 3b1f...e9   # value from another build
    ```

    ## Fix
    Publish the checksum printed by `npx @capgo/cli bundle zip --json` for this exact zip.

    ## References
    Cap-go/capacitor-updater `CryptoCipher.calcChecksum`, `CryptoCipher.decryptChecksum`,
    `CapgoUpdater.finishDownload`; Cap-go/CLI `src/bundle/encrypt.ts`, `src/api/crypto.ts`.
    """
    given = ctx.settings.checksum
    if not isinstance(given, str) or not given:
        return
    value = given.strip()
    sha256, _ = ota.file_digests(ctx)
    problem = ota.checksum_problem(value, sha256, app_public_key(ctx))
    if problem:
        yield Hit(f"checksum `{value[:80]}` {problem}" if not problem.startswith("SHA-256") else problem, ctx.bundle_location())


@rule(id="OTA013", name="crc32-checksum", level=Level.ERROR, inputs=ZIP | RESPONSE, tags=("ota", "integrity"), security_severity=7.0)
def crc32_checksum(ctx: Context) -> Iterator[Hit]:
    """The bundle's checksum is a CRC32, which updater 8.x never computes, so every device refuses it.

    ## What it checks
    An 8-hex-digit checksum: `--checksum` for a zip, or `checksum` in an update
    response without `session_key`.

    ## Why it matters
    Updater 8.x computes only SHA-256 (`CryptoCipher.calcChecksum`); an 8-digit
    CRC32 is recognised and logged as deprecated, then compared with the
    SHA-256 and refused (`checksum_fail`). CRC32 was never a defence anyway: a
    modified zip with the same CRC32 takes seconds to make.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip", "checksum": "9a0364b9"}
    ```

    ## Fix
    Rebuild with a current Capgo CLI (SHA-256 by default; do not pass `--force-crc32-checksum`).

    ## References
    Cap-go/capacitor-updater `CryptoCipher.calcChecksum` (SHA-256 only) and `decryptChecksum`.
    """
    if ctx.bundle.kind is InputKind.OTA_ZIP:
        given = ctx.settings.checksum
        if isinstance(given, str) and ota.CRC32_HEX.match(given.strip()):
            yield Hit(f"checksum `{given.strip()}` is a CRC32: updater 8.x computes only SHA-256 and refuses it on every device", ctx.bundle_location())
        return
    value = ota.member(ctx.bundle.document, "/checksum")  # type: ignore[arg-type]
    if isinstance(value, str) and ota.CRC32_HEX.match(value) and not ota.member(ctx.bundle.document, "/session_key"):  # type: ignore[arg-type]
        yield Hit(f"checksum `{value}` is a CRC32: updater 8.x computes only SHA-256 and refuses it on every device", ctx.document_location(ctx.bundle.document, "/checksum", key=True))  # type: ignore[arg-type]


CHECKSUM_FILES = ("/checksum.json", "/checksums.json")


@rule(id="OTA014", name="checksum-manifest-mismatch", level=Level.ERROR, inputs=ZIP, tags=("ota", "integrity"), security_severity=7.0)
def checksum_manifest_mismatch(ctx: Context) -> Iterator[Hit]:
    """The bundle's `checksum.json` does not match its files: missing, extra or changed.

    ## What it checks
    When the zip holds `checksum.json` (or `checksums.json`) mapping file paths
    to SHA-256 hex digests (`{"app.js": "<hex>"}` or `{"files": {...}}`), every
    listed file must exist with that digest, and every other file (except the
    checksum file itself) must be listed.

    ## Why it matters
    Per-file manifests (as in delta updates) are what the device trusts file by
    file. A stale entry breaks the update; an unlisted file is never verified.

    ## Example
    ```json
    {"index.html": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
    ```

    ## Fix
    Generate the manifest from the final build output, after every step that changes files.
    """
    source = next((ctx.resource(p) for p in CHECKSUM_FILES if ctx.resource(p) is not None), None)
    if source is None:
        return
    text = ctx.text(source)
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    table = data.get("files", data) if isinstance(data, dict) else None
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        yield Hit(f"`{source.path}` is not a JSON object of path to SHA-256 hex digest", ctx.bundle_location(resource=source.path))
        return
    listed = {"/" + k.lstrip("/"): v.lower() for k, v in table.items()}
    for path, expected in listed.items():
        resource = ctx.bundle.resources.get(path)
        if resource is None:
            yield Hit(f"`{path}` is listed in `{source.path}` but not in the bundle", ctx.bundle_location(resource=source.path))
            continue
        actual = ota.member_sha256(resource, ctx.limits.max_text_resource_bytes)
        if actual is not None and actual != expected:
            yield Hit(f"`{path}` has SHA-256 `{actual}`, `{source.path}` says `{expected}`", ctx.bundle_location(resource=path))
    for path in ctx.bundle.resources:
        if path not in listed and path != source.path:
            yield Hit(f"`{path}` is not listed in `{source.path}`", ctx.bundle_location(resource=path))


def bundle_version(ctx: Context) -> tuple[object, Location]:
    """The version being shipped and where it was written: `--app-version` or the response's `version`."""
    if ctx.bundle.kind is InputKind.UPDATE_RESPONSE and ctx.bundle.document is not None:
        value = ota.member(ctx.bundle.document, "/version")
        return value, ctx.document_location(ctx.bundle.document, "/version", key=True)
    return ctx.settings.app_version, ctx.bundle_location()


@rule(id="OTA015", name="version-not-semver", level=Level.ERROR, inputs=ZIP | RESPONSE, tags=("ota", "version"), security_severity=3.0)
def version_not_semver(ctx: Context) -> Iterator[Hit]:
    """The bundle version is not a semantic version.

    ## What it checks
    The response's `version`, or `--app-version` for a zip, against semver 2.0.0
    (`MAJOR.MINOR.PATCH`, optional `-prerelease` and `+build`).

    ## Why it matters
    The Capgo CLI refuses non-semver versions (`invalid_semver`), and the
    updater and channels compare versions as semver (downgrade protection,
    `--disable-auto-update major|minor|patch`). `v1.2` or `1.2` breaks them.

    ## Example
    ```json
    {"version": "v1.2", "url": "https://cdn.example.com/1.2.zip", "checksum": "..."}
    ```

    ## Fix
    Use a full semantic version such as `1.2.0`.
    """
    version, location = bundle_version(ctx)
    if version is None:
        return
    if not isinstance(version, str) or ota.semver_key(version) is None:
        yield Hit(f"version `{version}` is not a semantic version (MAJOR.MINOR.PATCH)", location)


@rule(id="OTA016", name="version-downgrade", level=Level.ERROR, inputs=ZIP | RESPONSE, tags=("ota", "version"), security_severity=7.0)
def version_downgrade(ctx: Context) -> Iterator[Hit]:
    """The bundle version is lower than `--previous-version`: a downgrade.

    ## What it checks
    With `--previous-version`, that the shipped version (`--app-version` for a
    zip, `version` in a response) is not lower in semver precedence.

    ## Why it matters
    Serving an older bundle re-opens the bugs and vulnerabilities the newer one
    fixed; a replayed old response is the classic rollback attack, and Capgo
    signs only the zip, not the version.

    ## Example
    ```
    iwa-audit response.json --previous-version 1.4.0    # response says 1.3.9
    ```

    ## Fix
    Bump the version above the one deployed; roll back by publishing a *new*
    version with the old code.

    ## References
    Cap-go/capacitor-updater `CapgoUpdater.finishDownload` (only the zip checksum is signed, not the version).
    """
    previous = ctx.settings.previous_version
    version, location = bundle_version(ctx)
    if not isinstance(previous, str) or not isinstance(version, str):
        return
    new_key, old_key = ota.semver_key(version), ota.semver_key(previous)
    if new_key is not None and old_key is not None and new_key < old_key:
        yield Hit(f"version `{version}` is lower than the previous version `{previous}`", location)


# --- update response ------------------------------------------------------------------------


@rule(id="OTA040", name="insecure-bundle-url", level=Level.ERROR, inputs=RESPONSE, needs=Need.DOCUMENT, tags=("ota", "response", "external/cwe/cwe-319"), security_severity=8.0)
def insecure_bundle_url(ctx: Context) -> Iterator[Hit]:
    """The update response's `url` is not an `https:` URL.

    ## What it checks
    That `url` in the update response (`{version, url, checksum}`) starts with `https://`.

    ## Why it matters
    The device downloads the bundle from there. Over `http:` a network
    attacker swaps the zip; the checksum comes from the same unauthenticated
    channel unless bundles are signed.

    ## Example
    ```json
    {"version": "1.2.0", "url": "http://cdn.example.com/1.2.0.zip", "checksum": "..."}
    ```

    ## Fix
    Serve bundles over HTTPS.

    ## References
    Capgo docs "Update API Endpoint"; Cap-go/capacitor-updater `InternalUtils.swift` (`AppVersionDec`).
    """
    document = ctx.bundle.document
    value = ota.member(document, "/url") if document else None
    manifest = ota.member(document, "/manifest") if document else None
    if isinstance(manifest, list) and manifest:
        return  # a delta response: `url` is a placeholder, each `download_url` is checked by OTA041
    if isinstance(value, str) and not ota.is_https(value):
        yield Hit(f"bundle `url` `{value}` is not https:", ctx.document_location(document, "/url", key=True))  # type: ignore[arg-type]


@rule(id="OTA041", name="bad-response-checksum", level=Level.ERROR, inputs=RESPONSE, needs=Need.DOCUMENT, tags=("ota", "response", "integrity"), security_severity=7.5)
def bad_response_checksum(ctx: Context) -> Iterator[Hit]:
    """The update response's `checksum` is missing or not in a form the updater verifies.

    ## What it checks
    Without `session_key`: `checksum` must be a lower-case SHA-256 hex digest
    (upper case fails the device's case-sensitive comparison; 8 digits is CRC32,
    see OTA013). With `session_key`: it is the encrypted checksum and must
    decode (hex or base64) to exactly 256 bytes. A delta response
    (`manifest: [{file_name, file_hash, download_url}]`) needs no bundle
    checksum, but every `download_url` must be https and every `file_hash` a
    lower-case SHA-256 (or, for an encrypted delta upload, the 256-byte hash
    the CLI encrypts with the private key, as `prepareBundlePartialFiles` does). The backend's "no update" answer
    (`error: no_new_version_available`, `kind: up_to_date`) needs nothing.

    ## Why it matters
    An app with `publicKey` refuses an empty checksum (`checksum_required`);
    an encrypted checksum of another length is refused ("Bundle checksum is
    not encrypted"); a malformed plain one fails `checksum_fail`. Each is an
    update that never installs.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip"}
    ```

    ## Fix
    Put the checksum printed by `npx @capgo/cli bundle zip --json` (or the
    `encryptedChecksum` of `bundle encrypt`) in the response.

    ## References
    Cap-go/capacitor-updater `CapgoUpdater.finishDownload`, `CryptoCipher.decryptChecksum`.
    """
    document = ctx.bundle.document
    if document is None or no_update(document):
        return
    manifest = ota.member(document, "/manifest")
    if isinstance(manifest, list) and manifest:
        yield from delta_manifest_problems(ctx, manifest)
        return
    checksum = ota.member(document, "/checksum")
    encrypted = bool(ota.member(document, "/session_key"))
    location = ctx.document_location(document, "/checksum", key=True)
    if not isinstance(checksum, str) or not checksum:
        app = ctx.settings.capacitor_config
        if app_public_key(ctx):
            consequence = "the app has a `publicKey`, so every device refuses it (`checksum_required`)"
        elif app is not None:
            consequence = "the app has no `publicKey`, so devices install the bundle without checking anything"
        else:
            consequence = "an app with a `publicKey` refuses it (`checksum_required`), one without installs it unchecked"
        yield Hit(f"the response has no `checksum`: {consequence}", location)
    elif encrypted:
        data = ota.checksum_bytes(checksum)
        if data is None or len(data) != 256:
            got = "is neither hex nor base64" if data is None else f"decodes to {len(data)} bytes"
            yield Hit(f"encrypted `checksum` {got}; an RSA-2048 signature is 256 bytes", location)
    elif not ota.CRC32_HEX.match(checksum):
        problem = ota.checksum_problem(checksum, None, None)
        if problem:
            yield Hit(f"`checksum` `{checksum[:80]}` {problem}", location)


def no_update(document) -> bool:
    """The backend's "no new version" answer (`error` set, or `kind: up_to_date`): nothing to install."""
    value = document.value
    return isinstance(value, dict) and (value.get("kind") == "up_to_date" or bool(value.get("error"))) and not value.get("url")


def delta_manifest_problems(ctx: Context, manifest: list) -> Iterator[Hit]:
    """A delta response: each file needs an https `download_url` and a lower-case SHA-256 `file_hash`."""
    document = ctx.bundle.document
    for i, item in enumerate(manifest):
        if not isinstance(item, dict):
            yield Hit(f"`manifest/{i}` is not an object of `file_name`, `file_hash`, `download_url`", ctx.document_location(document, f"/manifest/{i}"))  # type: ignore[arg-type]
            continue
        url, digest = item.get("download_url"), item.get("file_hash")
        if not isinstance(url, str) or not ota.is_https(url):
            yield Hit(f"`manifest/{i}/download_url` `{url}` is not https:", ctx.document_location(document, f"/manifest/{i}/download_url", key=True))  # type: ignore[arg-type]
        encrypted = isinstance(digest, str) and len(ota.checksum_bytes(digest) or b"") == 256  # `bundle upload --delta` with a key
        if not isinstance(digest, str) or not (ota.SHA256_LOWER.match(digest) or encrypted):
            yield Hit(f"`manifest/{i}/file_hash` `{str(digest)[:80]}` is neither a lower-case SHA-256 hex digest nor a 256-byte encrypted hash", ctx.document_location(document, f"/manifest/{i}/file_hash", key=True))  # type: ignore[arg-type]


SESSION_KEY = LazyPattern(r"^[A-Za-z0-9+/=_-]+:[A-Za-z0-9+/=_-]+$")


@rule(id="OTA042", name="unsigned-update-response", level=Level.ERROR, inputs=RESPONSE, needs=Need.DOCUMENT, tags=("ota", "response", "signing"), security_severity=8.5)
def unsigned_update_response(ctx: Context) -> Iterator[Hit]:
    """The response's `session_key` does not fit the app's `publicKey`: the update fails or goes unsigned.

    ## What it checks
    With `--capacitor-config` naming a config whose updater has `publicKey`:
    the response must carry `session_key` (`base64(iv):base64(key)`); for a
    config without `publicKey` it must not. The 256-byte encrypted checksum is
    checked by OTA041. Without `--capacitor-config`, a response without
    `session_key` gets a note, since only the app's config tells whether it
    should have one. The backend's "no update" answer needs neither.

    ## Why it matters
    Updater 8.51.23 refuses a response without a valid `session_key` when the
    app has a `publicKey`, on Android and iOS (`session_key_required`): the
    update never installs. Up to 8.51.22 Android accepted it and compared only
    the plain checksum, so a compromised server could ship an unsigned bundle.
    A `session_key` sent to an app without `publicKey` cannot be decrypted:
    that update fails on every device.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip", "checksum": "<64 hex>"}
    ```

    ## Fix
    Upload encrypted bundles (`npx @capgo/cli bundle encrypt`) and return their
    `session_key` and encrypted checksum.

    ## References
    Cap-go/capacitor-updater `CapgoUpdater.finishDownload` (Android, `session_key_required`)
    and `CapgoUpdater.download` (iOS), 8.51.23.
    """
    document = ctx.bundle.document
    if document is None or no_update(document):
        return
    app = ctx.settings.capacitor_config
    public_key = app_public_key(ctx)
    session_key = ota.member(document, "/session_key")
    if app is None and not session_key:
        yield Hit("no `session_key`: refused by 8.51.23 if the app has a `publicKey`, unsigned if it has none (pass --capacitor-config to check)", ctx.document_location(document, ""), level=Level.NOTE)
        return
    if app is not None and public_key is None:
        if session_key:
            yield Hit(
                "`session_key` for an app without `publicKey`: the device cannot decrypt the bundle and every update fails",
                ctx.document_location(document, "/session_key", key=True),
            )
        return
    if public_key is None:
        return
    if not session_key:
        yield Hit(
            "no `session_key` for an app with a `publicKey`: updater 8.51.23 refuses it on Android and iOS (`session_key_required`); "
            "Android up to 8.51.22 installed it with only the plain checksum checked",
            ctx.document_location(document, ""),
        )
    elif not isinstance(session_key, str) or not SESSION_KEY.match(session_key):
        yield Hit("`session_key` is not `base64(iv):base64(encrypted key)`", ctx.document_location(document, "/session_key", key=True))


RULES = (
    bundle_checksum_mismatch, crc32_checksum, checksum_manifest_mismatch, version_not_semver,
    version_downgrade, insecure_bundle_url, bad_response_checksum, unsigned_update_response,
)
