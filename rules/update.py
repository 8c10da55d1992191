"""UPD: the IWA update manifest and the manifest's `update_manifest_url`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.chrome.manifest import load_manifest
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.lazy import LazyModule
from auditor.engine.model import InputKind
from auditor.engine.problems import ProblemCode
from auditor.engine.registry import Need, rule
from auditor.parse.json_pos import pointer_join

UPDATE_MANIFEST = frozenset({InputKind.UPDATE_MANIFEST})
manifests = LazyModule("auditor.chrome.update_manifest")  # imported only when an update manifest is audited


def doc(ctx: Context):
    return ctx.bundle.document


def at(ctx: Context, pointer: str, *, key: bool = False):
    return ctx.document_location(doc(ctx), pointer, key=key)  # type: ignore[arg-type]


def entries(ctx: Context):
    return ctx.memo("update-entries", lambda: manifests.read_entries(doc(ctx).value, ctx.settings.update_url))  # type: ignore[union-attr]


@rule(id="UPD001", name="update-manifest-url-not-https", level=Level.WARNING, needs=Need.MANIFEST, tags=("manifest", "update"), security_severity=7.0)
def update_manifest_url_not_https(ctx: Context) -> Iterator[Hit]:
    """The manifest's `update_manifest_url` is not an https URL.

    ## What it checks
    That `update_manifest_url`, when present, is an absolute `https:` URL. An
    `http:` URL on `localhost` is reported as a note (fine for testing only).

    Chrome's manifest parser does not read this member: Chrome takes the update
    URL from the install source, for managed installs the enterprise policy
    entry (`update_manifest_url`, `web_bundle_id`, `update_channel`, ...). The
    member is advisory metadata that tools and people copy from; the explainer
    requires it to be https.

    ## Why it matters
    Whoever copies the URL into a policy gets an update channel that a network
    attacker can answer (the bundle signature still protects the code, but
    not which version, or whether updates arrive at all).

    ## Example
    ```json
    {"update_manifest_url": "http://updates.example.com/chat/update.json"}
    ```

    ## Fix
    Serve the update manifest over https and write that URL.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `components/webapps/isolated_web_apps/types/isolated_web_app_external_install_options.cc`; IWA explainer `Updates.md`.
    """
    manifest = load_manifest(ctx)
    data = manifest.data if manifest is not None and manifest.document is not None else {}
    value = data.get("update_manifest_url")
    if not isinstance(value, str):
        return
    location = ctx.document_location(manifest.document, "/update_manifest_url")  # type: ignore[union-attr, arg-type]
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    scheme = parts.scheme.lower() if parts else ""
    if scheme == "https" and host:
        return
    if scheme == "http" and manifests.is_localhost(host):
        yield Hit(f"`update_manifest_url` {json.dumps(value)} is http on localhost: for testing only", location, level=Level.NOTE)
    else:
        yield Hit(f"`update_manifest_url` {json.dumps(value)} is not an absolute https URL", location, help="serve the update manifest over https")


@rule(id="UPD002", name="invalid-update-manifest", level=Level.ERROR, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update",), security_severity=3.5)
def invalid_update_manifest(ctx: Context) -> Iterator[Hit]:
    """The update manifest has a shape that makes Chrome reject it as a whole.

    ## What it checks
    The root is an object; `versions` is an array whose every element is an
    object; top-level `channels`, when present, is an object whose values are
    objects with an optional string `name`.

    ## Why it matters
    Any of these makes Chrome discard the whole update manifest: no installed
    copy of the app updates until it is fixed, and nothing tells the user.

    ## Example
    ```json
    {"versions": [{"version": "1.0.0", "src": "https://example.com/1.0.0.swbn"}, "1.1.0"]}
    ```

    ## Fix
    Make every element of `versions` an object with `version` and `src`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    for pointer, reason in manifests.whole_manifest_problems(doc(ctx).value):  # type: ignore[union-attr]
        yield Hit(f"{reason}; Chrome rejects the whole update manifest", at(ctx, pointer))


@rule(id="UPD003", name="invalid-update-version", level=Level.ERROR, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update", "version"), security_severity=3.0)
def invalid_update_version(ctx: Context) -> Iterator[Hit]:
    """An update manifest entry has no `version`, or one Chrome cannot parse.

    ## What it checks
    Each entry's `version` under the IWA version rules (1 to 4 parts, ASCII
    digits, no leading zeros, each at most 4294967295; see MAN004).

    ## Why it matters
    Chrome skips such an entry silently, for forward compatibility: the release
    it describes is never offered to anyone.

    ## Example
    ```json
    {"versions": [{"version": "2.0.0-rc1", "src": "https://example.com/2.swbn"}]}
    ```

    ## Fix
    Use a plain numeric version that matches the bundle's manifest `version`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_version.cc`, `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    for entry in entries(ctx):
        if entry.version_problem is not None:
            pointer = entry.pointer + ("/version" if "version" in entry.raw else "")
            yield Hit(f"`versions[{entry.index}]` {entry.version_problem}; Chrome skips this entry", at(ctx, pointer))


@rule(id="UPD004", name="insecure-update-src", level=Level.ERROR, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update", "network"), security_severity=7.0)
def insecure_update_src(ctx: Context) -> Iterator[Hit]:
    """An update entry's `src` is missing, not https, or is the update manifest itself.

    ## What it checks
    Each entry's `src`, resolved against `--update-url` when given: a non-empty
    string whose scheme is `https`, or `http` on localhost (a note: testing
    only), and not equal to the update manifest URL. Without `--update-url`, a
    relative `src` cannot be judged further and passes.

    ## Why it matters
    Chrome requires `src` to be http(s) and potentially trustworthy, and skips
    the entry otherwise: the release is never offered.

    ## Example
    ```json
    {"versions": [{"version": "1.0.0", "src": "http://cdn.example.com/app.swbn"}]}
    ```

    ## Fix
    Serve bundles over https: `"src": "https://cdn.example.com/app.swbn"`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    update_url = ctx.settings.update_url
    for entry in entries(ctx):
        raw = entry.raw.get("src")
        pointer = entry.pointer + "/src"
        if not isinstance(raw, str) or not raw:
            yield Hit(f"`versions[{entry.index}]` has no `src`; Chrome skips this entry", at(ctx, pointer if "src" in entry.raw else entry.pointer))
            continue
        try:
            parts = urlsplit(entry.src or raw)
            scheme, host = parts.scheme.lower(), parts.hostname
        except ValueError:
            yield Hit(f"`src` {json.dumps(raw)} is not a valid URL", at(ctx, pointer))
            continue
        if update_url and entry.src == update_url:
            yield Hit(f"`src` {json.dumps(raw)} is the update manifest itself", at(ctx, pointer))
        elif not scheme:
            continue  # relative, and no --update-url to resolve it against
        elif scheme == "http" and manifests.is_localhost(host):
            yield Hit(f"`src` {json.dumps(raw)} is http on localhost: for testing only", at(ctx, pointer), level=Level.NOTE)
        elif scheme != "https" or not host:
            yield Hit(f"`src` {json.dumps(raw)} is not https; Chrome skips this entry", at(ctx, pointer), help="serve the bundle over https")


@rule(id="UPD005", name="invalid-update-channels", level=Level.ERROR, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update",), security_severity=3.0)
def invalid_update_channels(ctx: Context) -> Iterator[Hit]:
    """An entry's `channels` is not a list of non-empty strings, or is empty.

    ## What it checks
    `channels` in each entry: when present, an array of non-empty strings
    (error otherwise). An empty array is legal but means the version is never
    chosen (a note).

    ## Why it matters
    Chrome skips an entry whose `channels` is malformed; the release is never
    offered. Missing `channels` means `["default"]`.

    ## Example
    ```json
    {"versions": [{"version": "1.0.0", "src": "https://e.com/a.swbn", "channels": "beta"}]}
    ```

    ## Fix
    Write `"channels": ["beta"]`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    for entry in entries(ctx):
        if "channels" not in entry.raw:
            continue
        pointer = entry.pointer + "/channels"
        if entry.channels is None:
            yield Hit(f"`versions[{entry.index}].channels` must be an array of non-empty strings; Chrome skips this entry", at(ctx, pointer))
        elif not entry.channels:
            yield Hit(f"`versions[{entry.index}].channels` is empty: this version is never chosen", at(ctx, pointer), level=Level.NOTE)


@rule(id="UPD006", name="duplicate-update-version", level=Level.ERROR, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update", "version"), security_severity=3.0)
def duplicate_update_version(ctx: Context) -> Iterator[Hit]:
    """Two entries list the same version once trailing zeros are ignored.

    ## What it checks
    Versions compared the way Chrome compares them: numerically, with missing
    trailing parts counting as 0, so `1.0` and `1.0.0` are one version.

    ## Why it matters
    The later entry silently replaces the earlier one: the bundle or channels
    the earlier entry names are never offered, and which one wins depends on
    the order in the file.

    ## Example
    ```json
    {"versions": [{"version": "1.0", "src": "a.swbn"}, {"version": "1.0.0", "src": "b.swbn"}]}
    ```

    ## Fix
    Keep one entry per version; list all its channels in it.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_version.cc`, `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    first: dict = {}
    for entry in entries(ctx):
        if entry.version is None:
            continue
        if entry.version in first:
            earlier = first[entry.version]
            yield Hit(
                f"version `{entry.version}` repeats `{earlier.version}` of `versions[{earlier.index}]`; Chrome keeps only this later entry",
                at(ctx, entry.pointer + "/version"),
                related=(at(ctx, earlier.pointer + "/version"),),
            )
        else:
            first[entry.version] = entry


@rule(id="UPD007", name="no-default-channel-version", level=Level.ERROR, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update",), security_severity=3.5)
def no_default_channel_version(ctx: Context) -> Iterator[Hit]:
    """No usable entry is on the `default` channel.

    ## What it checks
    That at least one entry Chrome would keep (valid version, `src` and
    `channels`) lists the `default` channel (explicitly, or by having no
    `channels`).

    ## Why it matters
    Installs without an `update_channel` in policy use `default`; with nothing
    on it, Chrome finds "no applicable version" and those installs never update.

    ## Example
    ```json
    {"versions": [{"version": "1.0.0", "src": "https://e.com/a.swbn", "channels": ["beta"]}]}
    ```

    ## Fix
    Put the stable release on `default` (or omit `channels` for it).

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    if manifests.whole_manifest_problems(doc(ctx).value):  # type: ignore[union-attr]
        return
    if manifests.latest_on_channel(entries(ctx), manifests.DEFAULT_CHANNEL) is None:
        usable = len(manifests.effective_entries(entries(ctx)))
        yield Hit(f"no usable version is on the `{manifests.DEFAULT_CHANNEL}` channel ({usable} usable entries in all)", at(ctx, "/versions"))


@rule(id="UPD008", name="unknown-update-member", level=Level.NOTE, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update",), security_severity=1.0)
def unknown_update_member(ctx: Context) -> Iterator[Hit]:
    """A member Chrome does not know in the update manifest or one of its entries.

    ## What it checks
    Top-level members other than `versions` and `channels`, and entry members
    other than `version`, `src` and `channels`.

    ## Why it matters
    Chrome ignores them. A team that adds `"integrity"` or `"pinned": true`
    believes it has protection that does not exist: the bundle signature is
    the only integrity check, and pinning is a policy setting.

    ## Example
    ```json
    {"versions": [{"version": "1.0.0", "src": "https://e.com/a.swbn", "sha256": "..."}]}
    ```

    ## Fix
    Remove the member, or keep it knowingly as documentation.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`, `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest_fetcher.cc`.
    """
    value = doc(ctx).value  # type: ignore[union-attr]
    if not isinstance(value, dict):
        return
    for name in value:
        if name not in manifests.ROOT_MEMBERS:
            yield Hit(f"Chrome ignores the top-level member `{name}`", at(ctx, pointer_join("", name), key=True))
    for entry in entries(ctx):
        for name in entry.raw:
            if name not in manifests.ENTRY_MEMBERS:
                yield Hit(f"Chrome ignores `{name}` in `versions[{entry.index}]`", at(ctx, pointer_join(entry.pointer, name), key=True))


@rule(id="UPD009", name="duplicate-update-manifest-key", level=Level.WARNING, inputs=UPDATE_MANIFEST, needs=Need.DOCUMENT, tags=("update",), security_severity=3.0)
def duplicate_update_manifest_key(ctx: Context) -> Iterator[Hit]:
    """A key appears twice in one object of the update manifest; Chrome keeps the last.

    ## What it checks
    Duplicate keys in any object of the update manifest (the location is the
    last occurrence, the one Chrome's JSON parser keeps).

    ## Why it matters
    Chrome's JSON reader (`base::JSONReader`, its C++ and Rust parsers alike)
    keeps the last value of a repeated key. A reviewer who reads the first
    `src` approves a bundle Chrome never fetches; other tools that keep the
    first value disagree with Chrome about which version is served.

    ## Example
    ```json
    {"versions": [{"version": "1.2.0", "src": "https://cdn.example/1.2.0.swbn", "src": "https://other.example/x.swbn"}]}
    ```

    ## Fix
    Keep one copy of each key.

    ## References
    Chromium `base/json/json_reader.h` (JSONReader::Read); the update manifest
    is parsed in `chrome/browser/web_applications/isolated_web_apps/update_manifest/update_manifest.cc`.
    """
    for problem in ctx.bundle.problems:
        if problem.code is ProblemCode.DUPLICATE_KEY and problem.pointer is not None:
            yield Hit(f"key `{problem.pointer}` appears more than once; Chrome keeps the last", at(ctx, problem.pointer, key=True))


RULES = (
    update_manifest_url_not_https,
    invalid_update_manifest,
    invalid_update_version,
    insecure_update_src,
    invalid_update_channels,
    duplicate_update_version,
    no_default_channel_version,
    unknown_update_member,
    duplicate_update_manifest_key,
)
