"""PRM: the manifest's `permissions_policy` and the Permissions-Policy headers that narrow it."""

from __future__ import annotations

import json
from collections.abc import Iterator

from auditor.chrome.api_usage import DETECTABLE_FEATURES, uses_by_script
from auditor.chrome.manifest import Manifest, load_manifest, parsed_manifest
from auditor.chrome.manifest import member_location as at
from auditor.chrome.permissions_policy import (
    HeaderSyntaxError,
    combine,
    document_headers,
    feature_catalogue,
    manifest_policy,
    normalize_origin,
    parse_header,
)
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.location import Location
from auditor.engine.registry import Need, rule
from auditor.parse.js import skipped_scripts
from auditor.parse.json_pos import pointer_join

CROSS_ORIGIN_ISOLATED = "cross-origin-isolated"


def policy_member(ctx: Context) -> tuple[Manifest, object] | None:
    manifest = load_manifest(ctx)
    if manifest is None or manifest.document is None or "permissions_policy" not in manifest.data:
        return None
    return manifest, manifest.data["permissions_policy"]


def feature_pointer(feature: str) -> str:
    return pointer_join("/permissions_policy", feature)


def string_entries(value: object) -> Iterator[tuple[str, list[str]]]:
    """Features whose allowlist is a list of strings (others are PRM001's)."""
    if isinstance(value, dict):
        for feature, tokens in value.items():
            if isinstance(tokens, list) and all(isinstance(t, str) for t in tokens):
                yield feature, tokens


def allowlist_tokens(ctx: Context) -> Iterator[tuple[Manifest, str, int, str]]:
    """Every token of every well-formed allowlist, with its feature and index (for the JSON pointer)."""
    found = policy_member(ctx)
    if found is None:
        return
    manifest, value = found
    for feature, tokens in string_entries(value):
        for index, token in enumerate(tokens):
            yield manifest, feature, index, token


def header_location(ctx: Context, resource):
    return ctx.bundle_location(*(resource.byte_range or (None, 0)), resource=resource.path, pointer="permissions-policy")


@rule(id="PRM001", name="invalid-permissions-policy", level=Level.ERROR, needs=Need.MANIFEST, tags=("permissions",), security_severity=3.0)
def invalid_permissions_policy(ctx: Context) -> Iterator[Hit]:
    """`permissions_policy` is not an object of arrays of strings.

    ## What it checks
    The member is an object; each value is an array; each item is a string of
    1 to 2000 characters.

    ## Why it matters
    Chrome's browser-side reader (`IwaPermissionsPolicyCache`) is strict: one
    wrong type fails the whole policy, and an IWA with no policy has every
    policy-controlled feature off. Blink's parser instead drops just that
    feature, so the two disagree; either way the grant is lost.

    ## Example
    ```json
    {"permissions_policy": {"camera": "self", "microphone": [true]}}
    ```

    ## Fix
    `{"permissions_policy": {"camera": ["self"], "microphone": ["self"]}}`.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/iwa_permissions_policy_cache.cc`.
    """
    found = policy_member(ctx)
    if found is None:
        return
    manifest, value = found
    if not isinstance(value, dict):
        yield Hit("`permissions_policy` must be an object of feature to array of strings; Chrome drops the whole policy", at(ctx, manifest, "/permissions_policy"))
        return
    for feature, tokens in value.items():
        pointer = feature_pointer(feature)
        if not isinstance(tokens, list):
            yield Hit(f"`{feature}` must map to an array of strings; Chrome drops the whole policy", at(ctx, manifest, pointer))
            continue
        for index, token in enumerate(tokens):
            if not isinstance(token, str) or not 0 < len(token) <= 2000:
                what = "an empty string" if token == "" else "too long" if isinstance(token, str) else f"a {type(token).__name__}"
                yield Hit(f"`{feature}[{index}]` is {what}, not an allowlist entry; Chrome drops the whole policy", at(ctx, manifest, f"{pointer}/{index}"))


@rule(id="PRM002", name="empty-allowlist", level=Level.WARNING, needs=Need.MANIFEST, tags=("permissions",), security_severity=2.0)
def empty_allowlist(ctx: Context) -> Iterator[Hit]:
    """A feature is listed with an empty allowlist, which grants nothing.

    ## What it checks
    `permissions_policy` entries whose array is empty.

    ## Why it matters
    Blink drops a feature with an empty array: it stays off, exactly as if it
    were not listed. Authors often write `[]` expecting "default behaviour",
    but for an IWA the default is off.

    ## Example
    ```json
    {"permissions_policy": {"fullscreen": []}}
    ```

    ## Fix
    `{"permissions_policy": {"fullscreen": ["self"]}}`, or remove the entry.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/iwa_permissions_policy_cache.cc`, `third_party/blink/renderer/core/execution_context/security_context_init.cc`, `services/network/public/cpp/permissions_policy/permissions_policy.cc`.
    """
    found = policy_member(ctx)
    if found is None or not isinstance(found[1], dict):
        return
    manifest, value = found
    for feature, tokens in value.items():
        if tokens == []:
            yield Hit(f"`{feature}` has an empty allowlist: the feature stays off", at(ctx, manifest, feature_pointer(feature)), help='use ["self"] to grant it to the app')


@rule(id="PRM003", name="unknown-permission-feature", level=Level.WARNING, needs=Need.MANIFEST, tags=("permissions",), security_severity=2.0)
def unknown_permission_feature(ctx: Context) -> Iterator[Hit]:
    """A `permissions_policy` feature name Chromium does not know.

    ## What it checks
    Each feature name against the list shipped in
    `schemas/permissions-policy-features.txt`: every `permissions_policy_name`
    of Chromium's `permissions_policy_features.json5` at the commit the file
    names, plus the names older shipping Chrome versions still parse
    (`direct-sockets-private`...). A warning, not an error: the list grows with
    every Chrome release.

    ## Why it matters
    Chrome drops unknown names with a console warning. A typo
    (`geolocaton`) silently leaves the real feature off.

    ## Example
    ```json
    {"permissions_policy": {"geolocaton": ["self"]}}
    ```

    ## Fix
    Use the exact feature name (lower case, dashes).

    ## References
    Chromium `services/network/public/cpp/permissions_policy/permissions_policy_features.json5`.
    """
    found = policy_member(ctx)
    if found is None or not isinstance(found[1], dict):
        return
    manifest, value = found
    known, _ = feature_catalogue()
    for feature in value:
        if feature not in known:
            close = next((k for k in sorted(known) if k.replace("-", "") == feature.lower().replace("-", "").replace("_", "")), None)
            hint = f"; did you mean `{close}`?" if close else ""
            shown = feature.encode("unicode_escape").decode("ascii") if not feature.isascii() else feature
            yield Hit(f"unknown feature `{shown}`: Chrome drops it{hint}", at(ctx, manifest, feature_pointer(feature), key=True))


@rule(id="PRM004", name="invalid-allowlist-token", level=Level.WARNING, needs=Need.MANIFEST, tags=("permissions",), security_severity=3.0)
def invalid_allowlist_token(ctx: Context) -> Iterator[Hit]:
    """An allowlist entry that is not `self`, `none`, `*` or an https origin.

    ## What it checks
    Each string in a feature's array: `self` and `none` (any case, quoted or
    not), `*`, or an absolute `https:` origin. `src` means nothing in a
    manifest; `http:` origins, paths and bare host names are not origins
    Chrome will match.

    ## Why it matters
    Chrome hands unknown entries to the header parser, which drops what it
    cannot read: the grant the author meant does not exist.

    ## Example
    ```json
    {"permissions_policy": {"camera": ["self", "meet.example.com", "src"]}}
    ```

    ## Fix
    Write full origins: `"https://meet.example.com"`.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/iwa_permissions_policy_cache.cc`.
    """
    for manifest, feature, index, token in allowlist_tokens(ctx):
        bare = token.strip().strip("'").lower()
        if token == "*" or bare in ("self", "none"):
            continue
        origin = normalize_origin(token)
        if origin is not None and origin.startswith("https://"):
            continue
        why = "means nothing in a manifest (it is for iframe `allow`)" if bare == "src" else "is not an https origin"
        yield Hit(f"`{feature}` entry {json.dumps(token)} {why}", at(ctx, manifest, f"{feature_pointer(feature)}/{index}"))


@rule(id="PRM005", name="wildcard-permission-grant", level=Level.WARNING, needs=Need.MANIFEST, tags=("permissions",), security_severity=5.5)
def wildcard_permission_grant(ctx: Context) -> Iterator[Hit]:
    """A feature is granted to `*`: the app and any frame it embeds, from any origin.

    ## What it checks
    Allowlists containing `*`.

    ## Why it matters
    For an IWA the grant is the ceiling for everything inside it: with `*`,
    any cross-origin iframe the app embeds can be delegated the feature
    (camera, direct sockets, ...). Least privilege is `self`.

    ## Example
    ```json
    {"permissions_policy": {"camera": ["*"]}}
    ```

    ## Fix
    `["self"]`, plus only the origins that must use the feature inside frames.

    ## References
    Chromium `third_party/blink/renderer/core/execution_context/security_context_init.cc`, `services/network/public/cpp/permissions_policy/permissions_policy.cc`.
    """
    found = policy_member(ctx)
    if found is None:
        return
    manifest, value = found
    for feature, tokens in string_entries(value):
        if "*" in tokens:
            yield Hit(f"`{feature}` is granted to every origin (`*`)", at(ctx, manifest, f"{feature_pointer(feature)}/{tokens.index('*')}"), help='grant ["self"] instead')


@rule(id="PRM006", name="third-party-permission-grant", level=Level.WARNING, needs=Need.MANIFEST, tags=("permissions",), security_severity=5.0)
def third_party_permission_grant(ctx: Context) -> Iterator[Hit]:
    """A feature is granted to another origin.

    ## What it checks
    Allowlist entries that are origins (anything but `self`, `none`, `*`).

    ## Why it matters
    An origin in the app's policy lets a frame of that origin inside the app use
    the feature (if the frame's `allow` delegates it). That origin's code is not
    part of the signed bundle, so a compromise there reaches the app's devices.

    ## Example
    ```json
    {"permissions_policy": {"camera": ["self", "https://meet.example.com"]}}
    ```

    ## Fix
    Keep it only if an embedded frame from that origin truly needs the feature;
    say why in a comment next to your manifest source.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/iwa_permissions_policy_cache.cc`, `services/network/public/cpp/permissions_policy/permissions_policy.cc`.
    """
    for manifest, feature, index, token in allowlist_tokens(ctx):
        origin = normalize_origin(token)
        if origin is not None and origin.startswith("https://"):  # other schemes are PRM004's
            yield Hit(f"`{feature}` is granted to the third-party origin `{origin}`", at(ctx, manifest, f"{feature_pointer(feature)}/{index}"))


@rule(id="PRM007", name="missing-cross-origin-isolated", level=Level.ERROR, needs=Need.MANIFEST, tags=("permissions",), security_severity=3.0)
def missing_cross_origin_isolated(ctx: Context) -> Iterator[Hit]:
    """An isolated-context feature is granted without `cross-origin-isolated`.

    ## What it checks
    When the manifest grants a feature only available in isolated contexts
    (Direct Sockets, Controlled Frame, Smart Card, Web Printing, Sub Apps,
    unrestricted USB, all-screens capture), that `cross-origin-isolated` is
    granted to `self` too.

    ## Why it matters
    Without `cross-origin-isolated`, `crossOriginIsolated` is false for the app
    and the isolated-context APIs are not exposed at all, whatever else the
    policy grants. Controlled Frame users hit exactly this.

    ## Example
    ```json
    {"permissions_policy": {"direct-sockets": ["self"]}}
    ```

    ## Fix
    Add `"cross-origin-isolated": ["self"]`.

    ## References
    Chromium `third_party/blink/renderer/core/execution_context/security_context_init.cc`, `services/network/public/cpp/permissions_policy/permissions_policy.cc`; the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`); WICG/controlled-frame#27.
    """
    found = policy_member(ctx)
    if found is None:
        return
    manifest, value = found
    granted = manifest_policy(value)
    coi = granted.get(CROSS_ORIGIN_ISOLATED)
    if coi is not None and coi.enabled_for_app:
        return
    _, isolated = feature_catalogue()
    for feature in sorted(f for f, a in granted.items() if f in isolated and a.enabled_for_app):
        yield Hit(
            f"`{feature}` needs `{CROSS_ORIGIN_ISOLATED}` granted to self; without it the API is not exposed",
            at(ctx, manifest, feature_pointer(feature), key=True),
            help=f'add "{CROSS_ORIGIN_ISOLATED}": ["self"]',
        )


@rule(id="PRM008", name="header-blocks-granted-feature", level=Level.WARNING, needs=Need.MANIFEST | Need.HEADERS, tags=("permissions", "headers"), security_severity=2.0)
def header_blocks_granted_feature(ctx: Context) -> Iterator[Hit]:
    """A document's Permissions-Policy header takes away a feature the manifest grants.

    ## What it checks
    For each HTML document with a `Permissions-Policy` header, the effective
    policy (manifest grants intersected with the header, as Chrome's
    `CombinePolicies` does). A feature the manifest grants to the app that the
    header leaves off is reported, on that document.

    ## Why it matters
    The app asked for the permission and was installed with it, but on this
    page it is blocked: the feature fails at run time with a permissions
    policy error, only on the pages whose header narrows it.

    ## Example
    ```
    manifest: "permissions_policy": {"camera": ["self"]}
    /index.html  Permissions-Policy: camera=()
    ```

    ## Fix
    Remove the feature from the header (or from the manifest if the app does
    not need it).

    ## References
    Chromium `services/network/public/cpp/permissions_policy/permissions_policy.cc`.
    """
    manifest = load_manifest(ctx)
    if manifest is None or manifest.document is None:
        return
    granted = manifest_policy(manifest.data.get("permissions_policy"))
    headers = document_headers(ctx)
    for path, header in headers.items():
        effective = combine(granted, header)
        resource = ctx.resource(path)
        for feature in sorted(header):
            before, after = granted.get(feature), effective.get(feature)
            if before is not None and before.enabled_for_app and not (after and after.enabled_for_app):
                yield Hit(f"`{path}` header `Permissions-Policy` turns off `{feature}`, which the manifest grants", header_location(ctx, resource))


@rule(id="PRM009", name="header-entry-without-effect", level=Level.WARNING, needs=Need.MANIFEST | Need.HEADERS, tags=("permissions", "headers"), security_severity=1.0)
def header_entry_without_effect(ctx: Context) -> Iterator[Hit]:
    """A Permissions-Policy header names a feature the manifest does not grant.

    ## What it checks
    Features in a document's `Permissions-Policy` header that are not in the
    manifest's `permissions_policy`.

    ## Why it matters
    A header can only narrow an IWA's policy; it can never add a feature. A
    header entry such as `fullscreen=(self)` for a feature the manifest lacks
    does nothing, and the feature stays off: often the author believed the
    header was what enabled it.

    ## Example
    ```
    manifest: no "fullscreen"
    /index.html  Permissions-Policy: fullscreen=(self)
    ```

    ## Fix
    Grant the feature in the manifest (`"fullscreen": ["self"]`) and drop the
    header entry.

    ## References
    Chromium `services/network/public/cpp/permissions_policy/permissions_policy.cc`.
    """
    manifest = load_manifest(ctx)
    if manifest is None or manifest.document is None:
        return
    granted = manifest_policy(manifest.data.get("permissions_policy"))
    for path, header in document_headers(ctx).items():
        resource = ctx.resource(path)
        for feature in sorted(header):
            if feature not in granted:
                yield Hit(
                    f"`{path}` header `Permissions-Policy` names `{feature}`, which the manifest does not grant: the header cannot add it",
                    header_location(ctx, resource),
                )


@rule(id="PRM010", name="invalid-permissions-policy-header", level=Level.WARNING, needs=Need.HEADERS, tags=("permissions", "headers"), security_severity=3.0)
def invalid_permissions_policy_header(ctx: Context) -> Iterator[Hit]:
    """A Permissions-Policy header that is not a structured-field dictionary.

    ## What it checks
    Each HTML document's `Permissions-Policy` header parses as an RFC 8941
    dictionary (`feature=(self "https://a.example")`, `feature=*`, `feature=()`).

    ## Why it matters
    Chrome ignores a header it cannot parse, all of it. The old
    `Feature-Policy` syntax (`camera 'none'`) is the usual cause: whatever it
    meant to block stays as the manifest grants it.

    ## Example
    ```
    Permissions-Policy: camera 'none'; microphone 'none'
    ```

    ## Fix
    `Permissions-Policy: camera=(), microphone=()`.

    ## References
    RFC 8941 §3.2; W3C Permissions Policy §5.
    """
    for resource in ctx.resources("text/html", "application/xhtml+xml"):
        value = resource.headers.get("permissions-policy")
        if value is None:
            continue
        try:
            parse_header(value)
        except HeaderSyntaxError as exc:
            yield Hit(f"`{resource.path}` header `Permissions-Policy` is {exc}; Chrome ignores all of it", header_location(ctx, resource))


def granted_to_app(ctx: Context) -> tuple[Manifest, dict] | None:
    """The manifest and its grants (feature -> Allowlist), or None when there is no readable manifest."""
    manifest = parsed_manifest(ctx)
    if manifest is None:
        return None
    return manifest, manifest_policy(manifest.data.get("permissions_policy"))


@rule(id="PRM011", per_resource=True, name="api-used-without-permission", level=Level.ERROR, needs=Need.MANIFEST | Need.JS, tags=("permissions", "least-privilege"), precision=Precision.MEDIUM, security_severity=3.0)
def api_used_without_permission(ctx: Context) -> Iterator[Hit]:
    """Code uses a policy-controlled API whose feature the manifest does not grant.

    ## What it checks
    Scripts (parsed with tree-sitter) for uses of APIs gated by a permissions
    policy feature: `navigator.serial`, `.usb`, `.hid`, `.bluetooth`,
    `.geolocation`, `.xr`, `.smartCard`, `.subApps`, `.wakeLock`,
    `requestMIDIAccess`, `getGamepads`, `share`, `navigator.clipboard.read*/write*`,
    `new TCPSocket/TCPServerSocket/UDPSocket`, `IdleDetector`, `PaymentRequest`,
    `getScreenDetails()`, `getDisplayMedia()`, `getAllScreensMedia()`,
    `requestFullscreen()`, `createElement("controlledframe")` (any case, as
    `createElement` lower-cases it), and `<controlledframe>` elements in HTML.
    Each use whose feature the manifest does not grant to `self` is reported
    where it is written. A `TCPSocket`/`UDPSocket` to a literal loopback or
    private address (`127.0.0.1`, `localhost`, `192.168.…`, `10.…`, `fe80::…`)
    also needs `direct-sockets-private` (named `local-network` /
    `loopback-network` in the newest Chromium; any of them is accepted).

    ## Why it matters
    An IWA's policy is deny-all: a feature the manifest does not grant is off,
    and the API throws (or is missing) at run time, in front of users.

    ## Example
    ```js
    const port = await navigator.serial.requestPort();
    ```
    with no `"serial"` in `permissions_policy`.

    ## Fix
    Grant the feature: `"permissions_policy": {"serial": ["self"]}` (isolated-context
    features also need `"cross-origin-isolated": ["self"]`).

    ## References
    Chromium `third_party/blink/renderer/core/execution_context/security_context_init.cc`, `services/network/public/cpp/permissions_policy/permissions_policy.cc`; the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    found = granted_to_app(ctx)
    if found is None:
        return
    _, granted = found
    from auditor.chrome.api_usage import ELEMENTS
    from auditor.parse.html import documents, tag_span

    for document in documents(ctx):
        for element, feature in ELEMENTS.items():
            allowlist = granted.get(feature)
            if allowlist is not None and allowlist.enabled_for_app:
                continue
            for tag in document.elements(element):
                yield Hit(
                    f"`<{element}>` needs `{feature}`, which the manifest does not grant: it is blocked at run time",
                    Location(resource=document.resource.path, span=tag_span(tag)),
                    help=f'add "{feature}": ["self"] to permissions_policy',
                    anchor=f"{feature}:<{element}>",
                )
    from auditor.chrome.api_usage import PRIVATE_FEATURES, socket_target

    def grants(feature: str) -> bool:
        allowlist = granted.get(feature)
        return allowlist is not None and allowlist.enabled_for_app

    for tree, uses in uses_by_script(ctx):
        for use in uses:
            if not grants(use.feature):
                yield Hit(
                    f"`{use.api}` needs `{use.feature}`, which the manifest does not grant: it is blocked at run time",
                    tree.location(ctx, use.node),
                    help=f'add "{use.feature}": ["self"] to permissions_policy',
                    anchor=f"{use.feature}:{use.api}",
                )
            elif use.feature == "direct-sockets" and (target := socket_target(tree, use.node)) and not any(grants(f) for f in PRIVATE_FEATURES):
                address, kind = target
                yield Hit(
                    f"`{use.api}` to the {kind} address `{address}` needs `direct-sockets-private` (`{'loopback' if kind == 'loopback' else 'local'}-network` in newer Chrome), which the manifest does not grant: the connection is refused",
                    tree.location(ctx, use.node),
                    help='add "direct-sockets-private": ["self"] to permissions_policy',
                    anchor=f"direct-sockets-private:{use.api}",
                )


def page_element_features(ctx: Context) -> set[str]:
    """Features the page in scope uses through an element (`<model>`...): what PRM012 keeps of each page."""
    from auditor.chrome.api_usage import ELEMENTS
    from auditor.parse.html import documents

    return {feature for d in documents(ctx) for element, feature in ELEMENTS.items() if d.elements(element)}


def script_features(ctx: Context) -> set[str]:
    """Features the script file in scope uses through an API: what PRM012 keeps of each script."""
    return {use.feature for _, uses in uses_by_script(ctx) for use in uses}


def collect_element_features(ctx: Context) -> object:
    found = granted_to_app(ctx)
    if found is None or not found[1]:
        return None  # PRM012 returns before reading pages
    ctx.summary("script-features", lambda: script_features(ctx))
    return ctx.summary("element-features", lambda: page_element_features(ctx))


@rule(id="PRM012", name="permission-granted-but-unused", level=Level.NOTE, needs=Need.MANIFEST | Need.JS, tags=("permissions", "least-privilege"), precision=Precision.MEDIUM, security_severity=4.0, collect=collect_element_features)
def permission_granted_but_unused(ctx: Context) -> Iterator[Hit]:
    """The manifest grants a feature that no script uses.

    ## What it checks
    For features whose APIs PRM011 recognises, a grant in `permissions_policy`
    with no use in any script of the app. Not reported when a script was too
    large to parse (the use may be in it).

    ## Why it matters
    Least privilege: every grant is attack surface if the app is ever made to
    run hostile script (a compromised dependency, an XSS through a
    Trusted Types gap). Users and admins also read the grants as what the app
    does.

    ## Example
    ```json
    {"permissions_policy": {"usb": ["self"], "cross-origin-isolated": ["self"]}}
    ```
    and no `navigator.usb` anywhere.

    ## Fix
    Remove the grant, or keep it knowingly (the use may be computed, e.g.
    `navigator[api]`, which static analysis cannot see).

    ## References
    Chromium `third_party/blink/renderer/core/execution_context/security_context_init.cc`, `services/network/public/cpp/permissions_policy/permissions_policy.cc`.
    """
    found = granted_to_app(ctx)
    if found is None or not found[1] or skipped_scripts(ctx):
        return
    manifest, granted = found
    used: set[str] = set()
    for features in ctx.summaries("script-features", lambda: script_features(ctx)):
        used |= features
    for features in ctx.summaries("element-features", lambda: page_element_features(ctx)):
        used |= features
    for feature, allowlist in granted.items():
        if feature in DETECTABLE_FEATURES and feature not in used and allowlist.enabled_for_app:
            yield Hit(f"`{feature}` is granted but no script uses it", at(ctx, manifest, feature_pointer(feature), key=True))


RULES = (
    invalid_permissions_policy,
    empty_allowlist,
    unknown_permission_feature,
    invalid_allowlist_token,
    wildcard_permission_grant,
    third_party_permission_grant,
    missing_cross_origin_isolated,
    header_blocks_granted_feature,
    header_entry_without_effect,
    invalid_permissions_policy_header,
    api_used_without_permission,
    permission_granted_but_unused,
)
