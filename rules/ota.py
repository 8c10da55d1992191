"""OTA: Capacitor OTA update bundles (Capgo), the updater configuration and update responses.

Facts and rule candidates: the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`). Archive rules read
only the zip's directory (`Bundle.archive`); config rules read the
literal-evaluated `capacitor.config.*`; response rules read the update JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator

from auditor.capgo import updater as ota
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.location import Location
from auditor.engine.model import WEB_CONTENT_KINDS, ArchiveEntry, InputKind
from auditor.engine.problems import ProblemCode
from auditor.engine.registry import Need, rule

ZIP = frozenset({InputKind.OTA_ZIP})
CONFIG = frozenset({InputKind.CAPACITOR_CONFIG})
RESPONSE = frozenset({InputKind.UPDATE_RESPONSE})
LOCAL_HEADER_SIZE = 30
PRIVATE_KEY_PEM = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
SECRET_NAMES = re.compile(r"^(?:\.capgo_key(?:_v2)?|\.env(?:\.[\w.-]+)?|.*\.(?:key|p8|p12|pfx|jks|keystore))$", re.IGNORECASE)
NOT_SECRET = re.compile(r"^\.env\.(?:example|sample|template|dist)$", re.IGNORECASE)
DEV_FOLDERS = ("node_modules", ".git")
TEXT_SCAN_TYPES = ("text/", "application/javascript", "application/json", "application/octet-stream", "application/x-pem-file")


def entry_location(ctx: Context, entry: ArchiveEntry) -> Location:
    """The entry's local file header in the zip."""
    return ctx.bundle_location(entry.header_offset, LOCAL_HEADER_SIZE + len(entry.name.encode("utf-8", "replace")), pointer=entry.name)


def config_location(ctx: Context, pointer: str) -> Location:
    """The key of a config member (or its nearest existing ancestor)."""
    return ctx.document_location(ctx.bundle.document, pointer, key=True)  # type: ignore[arg-type]


# --- bundle (zip) --------------------------------------------------------------------------


@rule(id="OTA001", name="missing-root-index", level=Level.ERROR, inputs=ZIP, tags=("ota", "capgo"), security_severity=3.0)
def missing_root_index(ctx: Context) -> Iterator[Hit]:
    """The OTA zip has no `index.html` at its root.

    ## What it checks
    That the archive holds a file named exactly `index.html` at its top level.

    ## Why it matters
    The updater serves the unzipped folder and loads `index.html` from its root.
    The Capgo CLI refuses to build such a bundle (`index_html_not_found`), so a
    zip without it was built by hand or zipped one folder too high: the update
    fails to load and rolls back on every device.

    ## Example
    ```
    bundle.zip
      dist/index.html     <- one level too deep
      dist/app.js
    ```

    ## Fix
    Zip the *contents* of the build folder (`cd dist && zip -r ../bundle.zip .`)
    or use `npx @capgo/cli bundle zip`.

    ## References
    the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`) (`checkIndexPosition` in Cap-go/CLI `src/bundle/zip.ts`).
    """
    if "/index.html" in ctx.bundle.resources:
        return
    nested = sorted((p for p in ctx.bundle.resources if p.endswith("/index.html")), key=len)
    hint = f"; found `{nested[0]}`, one level too deep" if nested else ""
    yield Hit(f"no `index.html` at the root of the bundle{hint}", ctx.bundle_location(), help="zip the build folder's contents, not the folder")


@rule(id="OTA002", name="missing-notify-app-ready", level=Level.ERROR, inputs=ZIP, tags=("ota", "capgo"), security_severity=3.0)
def missing_notify_app_ready(ctx: Context) -> Iterator[Hit]:
    """No JavaScript in the bundle calls `notifyAppReady()`, so every update rolls back.

    ## What it checks
    That some `.js`/`.mjs` file in the bundle contains a call whose callee is
    `notifyAppReady` (`CapacitorUpdater.notifyAppReady()`, `x.notifyAppReady()`,
    `x["notifyAppReady"]()`), parsed with tree-sitter: mentions in comments or
    strings do not count.

    ## Why it matters
    After installing a bundle the updater waits `appReadyTimeout` (10 s by
    default) for `notifyAppReady()`. Without it the bundle is marked failed and
    the app reverts to the previous one: the update never sticks. The Capgo CLI
    checks for the *string* (`notifyAppReady_not_in_source_code`), which a
    comment satisfies; this rule wants a call.

    ## Example
    ```js
    // TODO: CapacitorUpdater.notifyAppReady()
    bootstrapApp();
    ```

    ## Fix
    Call it once the app has started: `await CapacitorUpdater.notifyAppReady()`.

    ## References
    the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`) (capacitor-updater README "notifyAppReady").
    """
    scripts = [r for r in ctx.resources() if r.path.lower().endswith((".js", ".mjs", ".cjs"))]
    if any(ota.calls_named(ctx, r, "notifyAppReady") for r in scripts):
        return
    unparsed = [r.path for r in scripts if ctx.text(r) is None]
    note = f" ({len(unparsed)} script(s) too large to parse, e.g. `{unparsed[0]}`)" if unparsed else ""
    yield Hit(f"no script calls `notifyAppReady()`; every device will roll this update back{note}", ctx.bundle_location())


@rule(id="OTA003", name="unsafe-archive-path", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip", "external/cwe/cwe-22"), security_severity=8.0)
def unsafe_archive_path(ctx: Context) -> Iterator[Hit]:
    """A zip entry name could escape the folder it is extracted into (zip slip).

    ## What it checks
    Every entry name in the central directory for a `..` segment, a leading `/`,
    a backslash or a drive letter (`C:`).

    ## Why it matters
    An unzipper that trusts names writes outside its folder: into the app's
    other bundles or data. Capgo's updater rejects such entries
    (`canonical_path_fail`, backslashes), which fails the update; other OTA
    systems and tools may not.

    ## Example
    ```
    ../../shared_prefs/config.xml
    ```

    ## Fix
    Rebuild the zip from the build folder with a standard tool; never put
    relative-parent or absolute paths in an archive.

    ## References
    the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`); CWE-22.
    """
    found = ota.archive(ctx)
    for entry in found.entries if found else ():
        reason = ota.unsafe_name_reason(entry.name)
        if reason:
            yield Hit(f"entry `{entry.name}` {reason}", entry_location(ctx, entry))


@rule(id="OTA004", name="duplicate-archive-entry", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=7.0)
def duplicate_archive_entry(ctx: Context) -> Iterator[Hit]:
    """Two zip entries have the same name, so what the device runs depends on the unzipper.

    ## What it checks
    That no name appears twice in the central directory.

    ## Why it matters
    Tools disagree on which copy wins (first, last, or an error). A reviewer or
    scanner can look at one `app.js` while the device extracts the other.

    ## Example
    ```
    app.js      (reviewed)
    app.js      (extracted last, runs)
    ```

    ## Fix
    Rebuild the archive from the folder; a duplicate means the zip was appended to.
    """
    found = ota.archive(ctx)
    seen: set[str] = set()
    for entry in found.entries if found else ():
        if entry.name in seen:
            yield Hit(f"entry `{entry.name}` appears more than once", entry_location(ctx, entry))
        seen.add(entry.name)


@rule(id="OTA005", name="archive-symlink", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip", "external/cwe/cwe-59"), security_severity=7.0)
def archive_symlink(ctx: Context) -> Iterator[Hit]:
    """A zip entry is a symbolic link.

    ## What it checks
    Entries whose Unix mode (external attributes) marks a symlink.

    ## Why it matters
    A link extracted first and written through later points files anywhere on
    the device the app can write. A web bundle never needs links.

    ## Example
    ```
    lrwxrwxrwx  assets -> /data/data/com.example.app
    ```

    ## Fix
    Zip with links resolved (`zip -r` without `--symlinks`), or remove them from the build.
    """
    found = ota.archive(ctx)
    for entry in found.entries if found else ():
        if entry.is_symlink:
            yield Hit(f"entry `{entry.name}` is a symbolic link", entry_location(ctx, entry))


@rule(id="OTA006", name="encrypted-archive-entry", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=4.0)
def encrypted_archive_entry(ctx: Context) -> Iterator[Hit]:
    """A zip entry is password-encrypted, so nothing can check or load it.

    ## What it checks
    The encryption bit (general purpose flag bit 0) of every entry.

    ## Why it matters
    The updater cannot extract it, and no audit can see its content. Capgo
    encrypts the *whole zip* with AES (`bundle encrypt`), never entries.

    ## Example
    ```
    zip -e bundle.zip index.html
    ```

    ## Fix
    Build the zip without a password; use `npx @capgo/cli bundle encrypt` for confidentiality.
    """
    found = ota.archive(ctx)
    for entry in found.entries if found else ():
        if entry.is_encrypted:
            yield Hit(f"entry `{entry.name}` is encrypted", entry_location(ctx, entry))


@rule(id="OTA007", name="nested-archive", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=4.0)
def nested_archive(ctx: Context) -> Iterator[Hit]:
    """The bundle contains another archive, which no audit of this zip looks inside.

    ## What it checks
    Members named like an archive (`.zip`, `.tar`, `.gz`, `.apk`, ...) or
    starting with an archive's magic bytes (first bytes only).

    ## Why it matters
    A web bundle serves files; an archive inside it is either a mistake (a
    build artefact swept up) or a way to smuggle content past review and size
    limits.

    ## Example
    ```
    bundle.zip
      index.html
      assets/old-build.zip
    ```

    ## Fix
    Remove the archive from the build output.
    """
    for resource in ctx.resources():
        if ota.looks_like_archive(resource):
            yield Hit(f"`{resource.path}` is an archive inside the bundle", ctx.bundle_location(resource=resource.path))


@rule(id="OTA008", name="decompression-bomb", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip", "external/cwe/cwe-409"), security_severity=6.0)
def decompression_bomb(ctx: Context) -> Iterator[Hit]:
    """The zip declares sizes or compression ratios of a decompression bomb.

    ## What it checks
    From the central directory only (nothing is inflated): a member larger than
    `max_zip_member_bytes` (256 MiB), a member of at least `min_zip_ratio_bytes`
    (1 MiB) that expands more than `max_zip_ratio` (200) times, and a declared
    total over `max_zip_total_bytes` (2 GiB). Limits live in `auditor/engine/limits.py`.

    ## Why it matters
    The device unzips every update into its storage. A few kilobytes that
    inflate to gigabytes fill the disk, crash the app, and the rollback may
    fail too. Real web builds compress 3 to 10 times.

    ## Example
    ```
    app.js   10485760 bytes, 10208 compressed (ratio 1027)
    ```

    ## Fix
    Remove the padded or generated file; check the build for runaway output.
    """
    found = ota.archive(ctx)
    if found is None:
        return
    limits = ctx.limits
    for entry in found.entries:
        if entry.size > limits.max_zip_member_bytes:
            yield Hit(f"entry `{entry.name}` declares {entry.size} bytes (limit {limits.max_zip_member_bytes})", entry_location(ctx, entry))
        elif entry.size >= limits.min_zip_ratio_bytes and entry.size > limits.max_zip_ratio * max(entry.compressed_size, 1):
            ratio = entry.size // max(entry.compressed_size, 1)
            yield Hit(f"entry `{entry.name}` expands {ratio} times ({entry.compressed_size} -> {entry.size} bytes; limit {limits.max_zip_ratio})", entry_location(ctx, entry))
    if found.declared_total > limits.max_zip_total_bytes:
        yield Hit(f"the archive declares {found.declared_total} bytes in total (limit {limits.max_zip_total_bytes})", ctx.bundle_location(found.central_directory_offset, 0))


@rule(id="OTA009", name="inconsistent-archive-headers", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=6.0)
def inconsistent_archive_headers(ctx: Context) -> Iterator[Hit]:
    """A zip entry's local header disagrees with the central directory, or cannot be read.

    ## What it checks
    For every entry: a local file header where the central directory says,
    with the same name, compression method and sizes; data inside the file;
    and a compression method the device can inflate (stored or deflate).

    ## Why it matters
    Unzippers that read local headers (streaming) and those that read the
    central directory then see different files: the classic way to show a
    scanner one content and a device another. It is also how truncated uploads look.

    ## Example
    ```
    central directory: app.js 1200 bytes    local header: app.js 98000 bytes
    ```

    ## Fix
    Rebuild the zip with a standard tool and re-upload it whole.
    """
    found = ota.archive(ctx)
    for problem in ctx.bundle.problems:
        if problem.code == "zip-header-mismatch":
            yield Hit(problem.message, ctx.bundle_location(problem.offset, LOCAL_HEADER_SIZE))
    for entry in found.entries if found else ():
        if entry.method not in (0, 8) and not entry.is_dir:
            yield Hit(f"entry `{entry.name}` uses compression method {entry.method}; only stored (0) and deflate (8) are supported", entry_location(ctx, entry))


@rule(id="OTA010", name="shipped-secret", level=Level.ERROR, inputs=WEB_CONTENT_KINDS, tags=("ota", "secrets", "external/cwe/cwe-312"), security_severity=9.0)
def shipped_secret(ctx: Context) -> Iterator[Hit]:
    """The bundle ships a private key or a secrets file to every user.

    ## What it checks
    Files named `.capgo_key`, `.capgo_key_v2`, `.env` / `.env.*` (not
    `.env.example`), `*.key`, `*.p8`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`,
    and text files containing a `-----BEGIN ... PRIVATE KEY-----` block.

    ## Why it matters
    Everything in an OTA bundle (or an IWA) is downloadable by anyone. A Capgo
    signing key lets an attacker sign updates every device will accept; `.env`
    files usually hold API tokens.

    ## Example
    ```
    bundle.zip
      index.html
      .capgo_key_v2        <- the private signing key
    ```

    ## Fix
    Remove the file from the build output, rotate the key or token, and keep
    signing keys outside the web folder (`.gitignore` them).

    ## References
    the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`) (`key create` writes `.capgo_key_v2`).
    """
    for resource in ctx.resources():
        name = resource.path.rsplit("/", 1)[-1]
        if SECRET_NAMES.match(name) and not NOT_SECRET.match(name):
            yield Hit(f"`{resource.path}` is a key or secrets file", ctx.bundle_location(resource=resource.path))
            continue
        if not resource.mime_type.startswith(TEXT_SCAN_TYPES) and resource.mime_type:
            continue
        text = ctx.text(resource)
        match = PRIVATE_KEY_PEM.search(text) if text else None
        if match:
            yield Hit(f"`{resource.path}` contains a private key", ctx.text_location(resource, match.start(), match.end()))


@rule(id="OTA011", name="shipped-dev-artefact", level=Level.WARNING, inputs=WEB_CONTENT_KINDS, tags=("ota", "hygiene"), security_severity=5.0)
def shipped_dev_artefact(ctx: Context) -> Iterator[Hit]:
    """The bundle ships development artefacts: embedded sources, `node_modules/`, `.git/`.

    ## What it checks
    Source maps (`*.map`) whose `sourcesContent` holds source text, and any
    file under a `node_modules/` or `.git/` folder (reported once per folder).

    ## Why it matters
    They publish your original sources and history, often with comments,
    internal URLs and secrets, and bloat every update download.

    ## Example
    ```json
    {"version": 3, "sources": ["src/api.ts"], "sourcesContent": ["const token = ..."]}
    ```

    ## Fix
    Disable source maps for release builds (or upload them to your error
    tracker only), and build from a clean output folder.
    """
    reported: set[str] = set()
    for resource in ctx.resources():
        parts = resource.path.split("/")
        folder = next((p for p in DEV_FOLDERS if p in parts[:-1]), None)
        if folder and folder not in reported:
            reported.add(folder)
            yield Hit(f"`{resource.path}` is under `{folder}/`", ctx.bundle_location(resource=resource.path))
        elif resource.path.endswith(".map"):
            text = ctx.text(resource)
            try:
                data = json.loads(text) if text else None
            except ValueError:
                continue
            sources = data.get("sourcesContent") if isinstance(data, dict) else None
            if isinstance(sources, list) and any(isinstance(s, str) and s for s in sources):
                yield Hit(f"source map `{resource.path}` embeds {len(sources)} source file(s) in `sourcesContent`", ctx.bundle_location(resource=resource.path))


@rule(id="OTA012", name="bundle-checksum-mismatch", level=Level.ERROR, inputs=ZIP, tags=("ota", "integrity"), security_severity=8.0)
def bundle_checksum_mismatch(ctx: Context) -> Iterator[Hit]:
    """The zip does not match the checksum given with `--checksum`.

    ## What it checks
    With `--checksum HEX`: 64 hex digits are compared with the SHA-256 of the
    zip file's bytes, 8 hex digits with its CRC32 (see OTA013); anything else
    is not a checksum the updater understands.

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
    the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`).
    """
    given = ctx.settings.checksum
    if not isinstance(given, str) or not given:
        return
    value = given.strip().lower()
    sha256, crc32 = ota.file_digests(ctx)
    if ota.SHA256_HEX.match(value):
        if value != sha256:
            yield Hit(f"SHA-256 of the zip is `{sha256}`, not `{value}`", ctx.bundle_location())
    elif ota.CRC32_HEX.match(value):
        if value != crc32:
            yield Hit(f"CRC32 of the zip is `{crc32}`, not `{value}`", ctx.bundle_location())
    else:
        yield Hit(f"`{given}` is neither a SHA-256 (64 hex digits) nor a CRC32 (8 hex digits)", ctx.bundle_location())


@rule(id="OTA013", name="crc32-checksum", level=Level.WARNING, inputs=ZIP | RESPONSE, tags=("ota", "integrity"), security_severity=7.0)
def crc32_checksum(ctx: Context) -> Iterator[Hit]:
    """The bundle's checksum is a CRC32, which the updater deprecates and anyone can forge.

    ## What it checks
    An 8-hex-digit checksum: `--checksum` for a zip, or `checksum` in an update
    response without `session_key`.

    ## Why it matters
    CRC32 detects accidents, not attacks: a modified zip with the same CRC32
    takes seconds to make. Updaters since 7.0.0 use SHA-256 and log CRC32 as deprecated.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip", "checksum": "9a0364b9"}
    ```

    ## Fix
    Rebuild with a current Capgo CLI (SHA-256 by default; do not pass `--force-crc32-checksum`).

    ## References
    the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`).
    """
    if ctx.bundle.kind is InputKind.OTA_ZIP:
        given = ctx.settings.checksum
        if isinstance(given, str) and ota.CRC32_HEX.match(given.strip()):
            yield Hit(f"checksum `{given.strip()}` is a CRC32", ctx.bundle_location())
        return
    value = ota.member(ctx.bundle.document, "/checksum")  # type: ignore[arg-type]
    if isinstance(value, str) and ota.CRC32_HEX.match(value) and not ota.member(ctx.bundle.document, "/session_key"):  # type: ignore[arg-type]
        yield Hit(f"checksum `{value}` is a CRC32", ctx.document_location(ctx.bundle.document, "/checksum", key=True))  # type: ignore[arg-type]


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
    Expo Updates' signed-manifest spec (expo/expo `docs/pages/technical-specs/expo-updates-1.mdx`).
    """
    previous = ctx.settings.previous_version
    version, location = bundle_version(ctx)
    if not isinstance(previous, str) or not isinstance(version, str):
        return
    new_key, old_key = ota.semver_key(version), ota.semver_key(previous)
    if new_key is not None and old_key is not None and new_key < old_key:
        yield Hit(f"version `{version}` is lower than the previous version `{previous}`", location)


# --- capacitor.config.* ---------------------------------------------------------------------

ENDPOINT_KEYS = ("updateUrl", "channelUrl", "statsUrl")


@rule(id="OTA020", name="insecure-updater-endpoint", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "external/cwe/cwe-319"), security_severity=8.0)
def insecure_updater_endpoint(ctx: Context) -> Iterator[Hit]:
    """An updater endpoint (`updateUrl`, `channelUrl`, `statsUrl`) is not `https:` or is a local address.

    ## What it checks
    Those keys under `plugins.CapacitorUpdater`: each must be an `https:` URL
    (error otherwise); an `https:` URL on localhost or a private address is a
    warning (a dev server left in a release config). `statsUrl: ""` (disabled) is fine.

    ## Why it matters
    Update checks over plain HTTP let anyone on the network answer with their
    own bundle URL and version; without `publicKey` that is code execution on
    every device.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"updateUrl": "http://updates.example.com/api"}}}
    ```

    ## Fix
    Serve the endpoints over HTTPS from a public host.

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`).
    """
    config = ota.updater(ctx.bundle.document)
    for key in ENDPOINT_KEYS if config else ():
        value = config.get(key)  # type: ignore[union-attr]
        if not isinstance(value, str) or (key == "statsUrl" and value == ""):
            continue
        location = config_location(ctx, f"{ota.UPDATER}/{key}")
        if not ota.is_https(value):
            yield Hit(f"`{key}` is `{value}`, not an https: URL", location)
        elif ota.is_local_host(ota.url_host(value)):
            yield Hit(f"`{key}` points at the local address `{ota.url_host(value)}`", location, level=Level.WARNING)


@rule(id="OTA021", name="unsigned-updates", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "signing"), security_severity=8.5)
def unsigned_updates(ctx: Context) -> Iterator[Hit]:
    """The updater has no `publicKey`, so bundles are not signed or verified.

    ## What it checks
    A `plugins.CapacitorUpdater` section without `publicKey`: an error when
    `updateUrl` points at your own server, a warning with the Capgo cloud
    (default `updateUrl`, or a `capgo.app` host).

    ## Why it matters
    Without `publicKey` the device checks nothing but the checksum the same
    server sent: whoever controls the update server, its CDN or its storage
    ships code to every device. With Capgo's cloud you rely on Capgo's
    infrastructure and TLS.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"updateUrl": "https://updates.example.com/api"}}}
    ```

    ## Fix
    Run `npx @capgo/cli key create` (writes `publicKey` into the config, keeps
    the private key in `.capgo_key_v2`) and upload bundles with it.

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`); the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`) (`publicKey`) (`key create`).
    """
    config = ota.updater(ctx.bundle.document)
    if config is None or config.get("publicKey"):
        return
    url = config.get("updateUrl")
    if isinstance(url, str) and ota.url_host(url) and ota.url_host(url) not in ota.CAPGO_HOSTS:
        yield Hit(f"self-hosted `updateUrl` ({ota.url_host(url)}) without `publicKey`: updates are not signed", config_location(ctx, f"{ota.UPDATER}/updateUrl"))
    elif not isinstance(url, ota.Computed):
        yield Hit("no `publicKey`: Capgo cloud updates are not signed end to end", config_location(ctx, ota.UPDATER), level=Level.WARNING)


@rule(id="OTA022", name="malformed-public-key", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "signing"), security_severity=7.0)
def malformed_public_key(ctx: Context) -> Iterator[Hit]:
    """The updater's `publicKey` is not a PKCS#1 PEM RSA-2048 public key.

    ## What it checks
    That `publicKey` starts with `-----BEGIN RSA PUBLIC KEY-----` and parses as
    an RSA public key of exactly 2048 bits (parsed with `cryptography`).

    ## Why it matters
    Android refuses keys without the PKCS#1 header, and the updater decrypts
    one 256-byte RSA block: any other key makes every signed update fail.

    ## Example
    ```json
    {"publicKey": "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkq...\\n-----END PUBLIC KEY-----"}
    ```

    ## Fix
    Use the key written by `npx @capgo/cli key create` (or convert with
    `openssl rsa -pubin -RSAPublicKey_out`).

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`); the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`).
    """
    config = ota.updater(ctx.bundle.document)
    value = config.get("publicKey") if config else None
    if isinstance(value, str) and value:
        problem = ota.rsa_public_key_problem(value)
        if problem:
            yield Hit(f"`publicKey` {problem}", config_location(ctx, f"{ota.UPDATER}/publicKey"))


@rule(id="OTA023", name="private-key-in-config", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "secrets", "external/cwe/cwe-321"), security_severity=9.5)
def private_key_in_config(ctx: Context) -> Iterator[Hit]:
    """The Capacitor config holds a private key (legacy `privateKey`), shipped inside the app.

    ## What it checks
    A non-empty `plugins.CapacitorUpdater.privateKey` (encryption v1), and any
    string in the config containing `-----BEGIN ... PRIVATE KEY-----`.

    ## Why it matters
    The config is compiled into the app: anyone can extract the key, sign
    bundles with it, and decrypt yours. This is critical: rotate the key.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"privateKey": "-----BEGIN RSA PRIVATE KEY-----..."}}}
    ```

    ## Fix
    Remove it, run `npx @capgo/cli key create` (v2 keys: only `publicKey` goes
    in the config; the CLI deletes a legacy `privateKey`), and ship a new app build.

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`); the Capgo CLI's source (Cap-go/CLI `src/bundle/zip.ts`, `src/api/crypto.ts`, `src/key.ts`) (`privateKey`) (`Cap-go/CLI:src/key.ts`).
    """
    document = ctx.bundle.document
    config = ota.updater(document)
    legacy = config.get("privateKey") if config else None
    if legacy:
        yield Hit("`privateKey` is in the config: the signing key ships inside the app", config_location(ctx, f"{ota.UPDATER}/privateKey"))
    for pointer, value in ota.leaves(document.value if document else None):
        if isinstance(value, str) and PRIVATE_KEY_PEM.search(value) and pointer != f"{ota.UPDATER}/privateKey":
            yield Hit(f"`{pointer}` holds a private key", config_location(ctx, pointer))


def flags_set(ctx: Context, keys: tuple[str, ...]) -> Iterator[str]:
    """The updater keys among `keys` that are literally `true`."""
    config = ota.updater(ctx.bundle.document)
    for key in keys:
        if config and config.get(key) is True:
            yield key


@rule(id="OTA024", name="js-can-redirect-updates", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=6.5)
def js_can_redirect_updates(ctx: Context) -> Iterator[Hit]:
    """`allowModifyUrl` lets JavaScript change where updates come from.

    ## What it checks
    `allowModifyUrl: true` (warning), an error when `persistModifyUrl: true`
    makes the changed URLs survive restarts.

    ## Why it matters
    One XSS or one malicious bundle can call `setUpdateUrl()` and point every
    future update at an attacker's server; with persistence it stays there.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"allowModifyUrl": true, "persistModifyUrl": true}}}
    ```

    ## Fix
    Remove both keys unless the app really switches servers at run time; then
    require `publicKey` so a redirected server still cannot sign bundles.

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`).
    """
    on = set(flags_set(ctx, ("allowModifyUrl", "persistModifyUrl")))
    if "allowModifyUrl" in on:
        persist = "persistModifyUrl" in on
        message = "`allowModifyUrl` lets JavaScript change the update, channel and stats URLs"
        yield Hit(
            message + (", and `persistModifyUrl` keeps the change across restarts" if persist else ""),
            config_location(ctx, f"{ota.UPDATER}/allowModifyUrl"),
            related=(config_location(ctx, f"{ota.UPDATER}/persistModifyUrl"),) if persist else (),
            level=Level.ERROR if persist else None,
        )


@rule(id="OTA025", name="js-can-change-app-id", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=6.0)
def js_can_change_app_id(ctx: Context) -> Iterator[Hit]:
    """`allowModifyAppId` lets JavaScript change which app's updates are fetched.

    ## What it checks
    `allowModifyAppId: true` under `plugins.CapacitorUpdater`.

    ## Why it matters
    Script can then switch the device to another app id's channel, including
    bundles published for a different app.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"allowModifyAppId": true}}}
    ```

    ## Fix
    Remove the key.
    """
    for key in flags_set(ctx, ("allowModifyAppId",)):
        yield Hit(f"`{key}` lets JavaScript change the app id used for updates", config_location(ctx, f"{ota.UPDATER}/{key}"))


@rule(id="OTA026", name="preview-features-enabled", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=5.0)
def preview_features_enabled(ctx: Context) -> Iterator[Hit]:
    """Preview or shake-menu features are on in the config (`allowPreview`, `shakeMenu`, ...).

    ## What it checks
    `allowPreview`, `shakeMenu` or `allowShakeChannelSelector` set to `true`.

    ## Why it matters
    They let users (or script) load other app ids' bundles or switch channels
    from a gesture: useful in a QA build, an open door in production.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"shakeMenu": true}}}
    ```

    ## Fix
    Enable them only in a separate QA config.

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`).
    """
    for key in flags_set(ctx, ("allowPreview", "shakeMenu", "allowShakeChannelSelector")):
        yield Hit(f"`{key}` is enabled; it is meant for QA builds", config_location(ctx, f"{ota.UPDATER}/{key}"))


LOCAL_KEYS = ("localHost", "localWebHost", "localSupa", "localSupaAnon", "localApi", "localApiFiles")


@rule(id="OTA027", name="local-endpoint-configured", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=5.0)
def local_endpoint_configured(ctx: Context) -> Iterator[Hit]:
    """A `local*` development endpoint is set in the updater config.

    ## What it checks
    Any of `localHost`, `localWebHost`, `localSupa`, `localSupaAnon`,
    `localApi`, `localApiFiles` (warning), an error when its value is an `http:` URL.

    ## Why it matters
    These point the CLI and updater at a development or self-hosted backend.
    In a release config they are a leftover, and over `http:` a network attacker can answer.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"localApi": "http://192.168.1.20:54321"}}}
    ```

    ## Fix
    Keep `local*` keys in a development-only config.
    """
    config = ota.updater(ctx.bundle.document)
    for key in LOCAL_KEYS if config else ():
        value = config.get(key)  # type: ignore[union-attr]
        if value in (None, ""):
            continue
        insecure = isinstance(value, str) and value.strip().lower().startswith("http://")
        yield Hit(f"`{key}` is set" + (f" to the plain-http URL `{value}`" if insecure else ""), config_location(ctx, f"{ota.UPDATER}/{key}"), level=Level.ERROR if insecure else None)


@rule(id="OTA028", name="reset-when-update-disabled", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=3.0)
def reset_when_update_disabled(ctx: Context) -> Iterator[Hit]:
    """`resetWhenUpdate: false` keeps an OTA bundle running over a newer store build.

    ## What it checks
    `resetWhenUpdate` set to `false` under `plugins.CapacitorUpdater`.

    ## Why it matters
    After a store update the app keeps running the old OTA bundle, which may
    be older than the web code in the new binary: an unintended downgrade, and
    a mismatch with new native code. Capgo's docs warn it breaks updates.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"resetWhenUpdate": false}}}
    ```

    ## Fix
    Remove the key (default `true`); guard downgrades on the channel with `downgrade_under_native`.
    """
    config = ota.updater(ctx.bundle.document)
    if config is not None and config.get("resetWhenUpdate") is False:
        yield Hit("`resetWhenUpdate` is false: old OTA bundles survive store updates", config_location(ctx, f"{ota.UPDATER}/resetWhenUpdate"))


MIN_READY_TIMEOUT, MAX_READY_TIMEOUT = 1000, 60_000


@rule(id="OTA029", name="unusual-rollback-settings", level=Level.NOTE, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=2.0)
def unusual_rollback_settings(ctx: Context) -> Iterator[Hit]:
    """The rollback settings are unusual: `appReadyTimeout` out of range or `autoDeleteFailed: false`.

    ## What it checks
    `appReadyTimeout` below 1000 ms (Android clamps it to 1000) or above
    60000 ms, and `autoDeleteFailed: false`.

    ## Why it matters
    A very short timeout rolls back healthy updates on slow devices; a very
    long one leaves a broken bundle running. Failed bundles kept on disk waste
    storage and can be re-selected by mistake.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"appReadyTimeout": 500}}}
    ```

    ## Fix
    Keep the defaults (10000 ms, `autoDeleteFailed: true`) unless measured otherwise.
    """
    config = ota.updater(ctx.bundle.document)
    if config is None:
        return
    timeout = config.get("appReadyTimeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and not MIN_READY_TIMEOUT <= timeout <= MAX_READY_TIMEOUT:
        side = "below the 1000 ms Android clamps to" if timeout < MIN_READY_TIMEOUT else f"above {MAX_READY_TIMEOUT} ms"
        yield Hit(f"`appReadyTimeout` is {timeout} ms, {side}", config_location(ctx, f"{ota.UPDATER}/appReadyTimeout"))
    if config.get("autoDeleteFailed") is False:
        yield Hit("`autoDeleteFailed` is false: failed bundles stay on the device", config_location(ctx, f"{ota.UPDATER}/autoDeleteFailed"))


@rule(id="OTA030", name="live-reload-server-url", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor"), security_severity=7.5)
def live_reload_server_url(ctx: Context) -> Iterator[Hit]:
    """`server.url` makes the app load its web content from a server instead of the bundle.

    ## What it checks
    A non-empty `server.url` in the Capacitor config.

    ## Why it matters
    Capacitor's docs describe it as a live-reload setting "not intended for use
    in production": the app runs whatever that server returns, with full
    access to native plugins, and OTA updates and their signatures are bypassed.

    ## Example
    ```json
    {"server": {"url": "http://192.168.1.10:5173"}}
    ```

    ## Fix
    Remove `server.url` from release configs (use `npx cap run --live-reload` in development).

    ## References
    the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`).
    """
    document = ctx.bundle.document
    value = ota.member(document, "/server/url") if document else None
    if isinstance(value, str) and value:
        yield Hit(f"`server.url` loads the app from `{value}`", config_location(ctx, "/server/url"))


@rule(id="OTA031", name="cleartext-traffic-allowed", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor", "external/cwe/cwe-319"), security_severity=6.0)
def cleartext_traffic_allowed(ctx: Context) -> Iterator[Hit]:
    """The app allows plain-HTTP traffic: `server.cleartext` or `android.allowMixedContent`.

    ## What it checks
    `server.cleartext: true` and `android.allowMixedContent: true`.

    ## Why it matters
    Cleartext lets the WebView (and plugins) talk HTTP that anyone on the
    network can read and rewrite; mixed content lets an `https` page load
    `http` scripts.

    ## Example
    ```json
    {"server": {"cleartext": true}, "android": {"allowMixedContent": true}}
    ```

    ## Fix
    Remove both; serve every backend over HTTPS.
    """
    document = ctx.bundle.document
    for pointer in ("/server/cleartext", "/android/allowMixedContent"):
        if document is not None and ota.member(document, pointer) is True:
            yield Hit(f"`{pointer[1:].replace('/', '.')}` is true", config_location(ctx, pointer))


@rule(id="OTA032", name="wildcard-navigation", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor"), security_severity=6.0)
def wildcard_navigation(ctx: Context) -> Iterator[Hit]:
    """`server.allowNavigation` lets the WebView navigate to any host.

    ## What it checks
    Entries of `server.allowNavigation` that are `*` or a wildcard over a
    whole top-level domain (`*.com`).

    ## Why it matters
    Pages allowed there load inside the app's WebView with access to the
    native bridge; a wildcard hands that to any site a link or redirect reaches.

    ## Example
    ```json
    {"server": {"allowNavigation": ["*"]}}
    ```

    ## Fix
    List the exact hosts the app must open in its WebView; open others in the browser.
    """
    document = ctx.bundle.document
    entries = ota.member(document, "/server/allowNavigation") if document else None
    for i, entry in enumerate(entries if isinstance(entries, list) else ()):
        if isinstance(entry, str) and (entry.strip() == "*" or re.fullmatch(r"\*\.[^.]+", entry.strip())):
            yield Hit(f"`allowNavigation` entry `{entry}` matches any host", ctx.document_location(document, f"/server/allowNavigation/{i}"))  # type: ignore[arg-type]


@rule(id="OTA033", name="webview-debugging-enabled", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor"), security_severity=5.5)
def webview_debugging_enabled(ctx: Context) -> Iterator[Hit]:
    """`webContentsDebuggingEnabled` lets anyone with the device inspect and script the app's WebView.

    ## What it checks
    `webContentsDebuggingEnabled: true` at the top level, under `android` or under `ios`.

    ## Why it matters
    With it, Chrome DevTools or Safari Web Inspector attach to a release build:
    read tokens, call native plugins, change the update URL.

    ## Example
    ```json
    {"android": {"webContentsDebuggingEnabled": true}}
    ```

    ## Fix
    Remove it (Capacitor enables debugging only for debug builds by default).
    """
    document = ctx.bundle.document
    for pointer in ("/webContentsDebuggingEnabled", "/android/webContentsDebuggingEnabled", "/ios/webContentsDebuggingEnabled"):
        if document is not None and ota.member(document, pointer) is True:
            yield Hit(f"`{pointer[1:].replace('/', '.')}` is true", config_location(ctx, pointer))


@rule(id="OTA034", name="computed-config-value", level=Level.NOTE, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), precision=Precision.MEDIUM, security_severity=1.0)
def computed_config_value(ctx: Context) -> Iterator[Hit]:
    """A value in `capacitor.config.ts`/`.js` is computed, so iwa-audit did not check it.

    ## What it checks
    Values that are not literals (`process.env.X`, function calls, template
    strings with `${}`, spreads of non-constant objects): iwa-audit never runs
    the config, so it reports these instead of guessing.

    ## Why it matters
    A computed `updateUrl` or `publicKey` may be fine or may be `http:` in the
    build that ships; the audit cannot tell, and says so.

    ## Example
    ```ts
    plugins: { CapacitorUpdater: { updateUrl: process.env.UPDATE_URL } }
    ```

    ## Fix
    Nothing, if intended; audit the generated `capacitor.config.json` in the
    native project (`android/app/src/main/assets/capacitor.config.json`) to
    check the final values.
    """
    document = ctx.bundle.document
    for pointer, value in ota.computed_values(document.value if document else None):
        source = f"`` {value.source} ``" if "`" in value.source else f"`{value.source}`"
        yield Hit(f"`{pointer}` is computed ({source}); not checked", config_location(ctx, pointer))


@rule(id="OTA035", name="duplicate-json-key", level=Level.WARNING, inputs=CONFIG | RESPONSE, needs=Need.DOCUMENT, tags=("ota", "config", "response"), security_severity=4.0)
def duplicate_json_key(ctx: Context) -> Iterator[Hit]:
    """A key appears twice in the same object of the config or update response.

    ## What it checks
    Duplicate keys in `capacitor.config.json` or an update response (the
    location is the last occurrence, which is the one that counts).

    ## Why it matters
    JSON parsers disagree on duplicates: most keep the last, some the first,
    some refuse. A reviewer reads the first `url`; the device may use the
    second. In a config it usually means an edit went into the wrong copy.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip", "url": "http://evil.example/x.zip"}
    ```

    ## Fix
    Keep one copy of each key.
    """
    for pointer in (p.pointer for p in ctx.bundle.problems if p.code is ProblemCode.DUPLICATE_KEY):
        yield Hit(f"key `{pointer}` appears more than once; the last one wins", ctx.document_location(ctx.bundle.document, pointer, key=True))  # type: ignore[arg-type]


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
    the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`).
    """
    document = ctx.bundle.document
    value = ota.member(document, "/url") if document else None
    if isinstance(value, str) and not ota.is_https(value):
        yield Hit(f"bundle `url` `{value}` is not https:", ctx.document_location(document, "/url", key=True))  # type: ignore[arg-type]


def decoded_length(value: str) -> int | None:
    """Bytes in a hex or base64 string (how the updater reads an encrypted checksum), or None."""

    if ota.HEX.match(value):
        return len(value) // 2
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return None


@rule(id="OTA041", name="bad-response-checksum", level=Level.ERROR, inputs=RESPONSE, needs=Need.DOCUMENT, tags=("ota", "response", "integrity"), security_severity=7.5)
def bad_response_checksum(ctx: Context) -> Iterator[Hit]:
    """The update response's `checksum` is missing or not in a form the updater verifies.

    ## What it checks
    Without `session_key`: `checksum` must be a SHA-256 hex digest (64 hex
    digits; 8 digits is CRC32, see OTA013). With `session_key`: it is the
    encrypted checksum and must decode (hex or base64) to exactly 256 bytes.

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
    the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`).
    """
    document = ctx.bundle.document
    if document is None:
        return
    checksum = ota.member(document, "/checksum")
    encrypted = bool(ota.member(document, "/session_key"))
    if not isinstance(checksum, str) or not checksum:
        yield Hit("the response has no `checksum`", ctx.document_location(document, "/checksum", key=True))
    elif encrypted:
        length = decoded_length(checksum)
        if length != 256:
            got = "is neither hex nor base64" if length is None else f"decodes to {length} bytes"
            yield Hit(f"encrypted `checksum` {got}; an RSA-2048 signature is 256 bytes", ctx.document_location(document, "/checksum", key=True))
    elif not ota.SHA256_HEX.match(checksum) and not ota.CRC32_HEX.match(checksum):
        yield Hit(f"`checksum` `{checksum[:80]}` is not a SHA-256 hex digest", ctx.document_location(document, "/checksum", key=True))


SESSION_KEY = re.compile(r"^[A-Za-z0-9+/=_-]+:[A-Za-z0-9+/=_-]+$")


@rule(id="OTA042", name="unsigned-update-response", level=Level.ERROR, inputs=RESPONSE, needs=Need.DOCUMENT, tags=("ota", "response", "signing"), security_severity=8.5)
def unsigned_update_response(ctx: Context) -> Iterator[Hit]:
    """The app has a `publicKey`, but this response carries no `session_key`, so nothing is verified.

    ## What it checks
    With `--capacitor-config` naming a config whose updater has `publicKey`:
    the response must carry `session_key` (`base64(iv):base64(key)`). The
    256-byte encrypted checksum is checked by OTA041. Without
    `--capacitor-config`, a response without `session_key` gets a note, since
    only the app's config tells whether it should have one.

    ## Why it matters
    The updater decrypts and verifies a bundle only when both `publicKey` and
    `session_key` are non-empty. A response with a plain SHA-256 and no
    `session_key` is compared as plain text: a compromised server, CDN or
    cached manifest can serve an unsigned bundle with a matching hash, and the
    app's key protects nothing.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip", "checksum": "<64 hex>"}
    ```

    ## Fix
    Upload encrypted bundles (`npx @capgo/cli bundle encrypt`) and return their
    `session_key` and encrypted checksum.

    ## References
    the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`) (observation: `!publicKey.isEmpty() &&
    !sessionKey.isEmpty()` in `CapgoUpdater.java`).
    """
    app = ctx.settings.capacitor_config
    config = app.get("plugins", {}).get("CapacitorUpdater") if isinstance(app, dict) and isinstance(app.get("plugins"), dict) else None
    document = ctx.bundle.document
    session_key = ota.member(document, "/session_key") if document else None
    if app is None and not session_key:
        yield Hit("no `session_key`: unsigned unless the app has no `publicKey` (pass --capacitor-config to check)", ctx.document_location(document, ""), level=Level.NOTE)  # type: ignore[arg-type]
        return
    if not isinstance(config, dict) or not config.get("publicKey"):
        return
    if not session_key:
        yield Hit("no `session_key`: the app has a `publicKey` but will accept this bundle unverified", ctx.document_location(document, ""))  # type: ignore[arg-type]
    elif not isinstance(session_key, str) or not SESSION_KEY.match(session_key):
        yield Hit("`session_key` is not `base64(iv):base64(encrypted key)`", ctx.document_location(document, "/session_key", key=True))  # type: ignore[arg-type]


RULES = (
    missing_root_index, missing_notify_app_ready, unsafe_archive_path, duplicate_archive_entry,
    archive_symlink, encrypted_archive_entry, nested_archive, decompression_bomb,
    inconsistent_archive_headers, shipped_secret, shipped_dev_artefact, bundle_checksum_mismatch,
    crc32_checksum, checksum_manifest_mismatch, version_not_semver, version_downgrade,
    insecure_updater_endpoint, unsigned_updates, malformed_public_key, private_key_in_config,
    js_can_redirect_updates, js_can_change_app_id, preview_features_enabled, local_endpoint_configured,
    reset_when_update_disabled, unusual_rollback_settings, live_reload_server_url,
    cleartext_traffic_allowed, wildcard_navigation, webview_debugging_enabled, computed_config_value, duplicate_json_key,
    insecure_bundle_url, bad_response_checksum, unsigned_update_response,
)
