"""HDR: response headers the bundle carries, judged against the ones Chrome adds to every IWA response."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.chrome.csp import WHAT_BREAKS, blocked_by_bundle, parse_header, without_effect
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.location import Location
from auditor.engine.model import Resource
from auditor.engine.record import FrozenRecord, store_fields
from auditor.engine.registry import Need, rule

CSP = "content-security-policy"
CHROME_ISOLATION = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cross-origin-resource-policy": "same-origin",
}


class PolicySource(FrozenRecord):
    """One distinct CSP value and where it first appears (a response header or a `<meta>` tag)."""

    __slots__ = ("count", "location", "origin", "value")
    value: str
    location: Location
    count: int
    origin: str  # "header" or "meta"

    def __init__(self, value: str, location: Location, count: int, origin: str) -> None:
        store_fields(self, locals())


def header_location(resource: Resource, name: str) -> Location:
    return Location(resource=resource.path, byte_range=resource.byte_range, pointer=name)


def pages_first(ctx: Context) -> list[Resource]:
    """Resources with HTML documents first, so a header every response carries is reported on a page."""
    return sorted(ctx.resources(), key=lambda r: r.mime_type != "text/html")


def meta_csps(ctx: Context) -> list[PolicySource]:
    """The `<meta>` CSPs of the page in scope: what the bundle-CSP rules keep of each page."""
    from auditor.parse.html import documents, tag_location

    found = []
    for document in documents(ctx):
        for tag in document.elements("meta"):
            # CSP Level 3 §3.3: a <meta> policy counts only in <head>; Chromium ignores one in <body>
            if str(tag.get("http-equiv", "")).strip().lower() == CSP and isinstance(tag.get("content"), str) and tag.in_head:
                found.append(PolicySource(tag["content"], tag_location(document, tag), 1, "meta"))
    return found


def collect_meta_csps(ctx: Context) -> object:
    return ctx.summary("meta-csp", lambda: meta_csps(ctx))


def csp_sources(ctx: Context) -> list[PolicySource]:
    """Each distinct bundle CSP once (headers grouped by value, since tools stamp one on every response)."""

    def build() -> list[PolicySource]:
        first: dict[str, tuple[Location, int]] = {}
        for resource in pages_first(ctx):
            value = resource.headers.get(CSP)
            if value:
                location, count = first.get(value, (header_location(resource, CSP), 0))
                first[value] = (location, count + 1)
        found = [PolicySource(v, loc, n, "header") for v, (loc, n) in first.items()]
        for page in ctx.summaries("meta-csp", lambda: meta_csps(ctx)):
            found.extend(page)
        return found

    return ctx.memo("bundle-csp", build)


def carried(source: PolicySource) -> str:
    if source.origin == "meta":
        return "the `<meta>` CSP"
    return "the bundle's CSP header" + (f" ({source.count} responses carry it)" if source.count > 1 else "")


@rule(id="HDR001", name="bundle-csp-blocks-more", level=Level.WARNING, needs=Need.HEADERS | Need.HTML, tags=("csp", "headers"), security_severity=2.0, collect=collect_meta_csps)
def bundle_csp_blocks_more(ctx: Context) -> Iterator[Hit]:
    """The bundle's own CSP blocks something Chrome's IWA policy allows.

    ## What it checks
    Each Content-Security-Policy the bundle carries (response headers, grouped
    by value, and `<meta http-equiv>` tags in `<head>`; Chromium ignores one in
    `<body>`), directive by directive with CSP
    fallbacks, against Chrome's policy: every source Chrome allows in
    `connect-src`, `img-src`, `media-src`, `font-src`, `frame-src`,
    `style-src` and `script-src` that the bundle's policy refuses.

    ## Why it matters
    Chrome adds its CSP next to the bundle's, and a request must pass both: a
    bundle CSP can only narrow. Stale copies of the IWA policy in build tools
    do exactly that. The webbundle plugins' default still lacks `blob:` and
    `data:` in `connect-src`, so `fetch(blobUrl)` fails in apps built with it;
    older versions lacked `wss:` (WebSockets) or `style-src` (inline styles).

    ## Example
    ```
    Content-Security-Policy: default-src 'self'; connect-src 'self' https: wss:; ...
    ```

    ## Fix
    Drop the bundle CSP (Chrome supplies one) or copy Chrome's current policy
    exactly, e.g. `connect-src 'self' https: wss: blob: data:`.

    ## References
    Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`;
    GoogleChromeLabs/webbundle-plugins `packages/shared/iwa-headers.ts`; CSP Level 3 §3.3.
    """
    for source in csp_sources(ctx):
        for policy in parse_header(source.value):
            missing = blocked_by_bundle(policy)
            if not missing:
                continue
            parts = {}
            for directive, token in missing:
                parts.setdefault(directive, []).append(token)
            detail = "; ".join(f"`{d}` lacks {' '.join(tokens)}" for d, tokens in parts.items())
            effects = [WHAT_BREAKS[m] for m in missing if m in WHAT_BREAKS]
            consequence = f" ({', '.join(effects[:3])})" if effects else ""
            yield Hit(f"{carried(source)} blocks what Chrome allows: {detail}{consequence}", source.location)


@rule(id="HDR002", name="bundle-csp-without-effect", level=Level.NOTE, needs=Need.HEADERS | Need.HTML, tags=("csp", "headers"), security_severity=1.0, collect=collect_meta_csps)
def bundle_csp_without_effect(ctx: Context) -> Iterator[Hit]:
    """The bundle's CSP allows something Chrome's IWA policy blocks anyway: no effect.

    ## What it checks
    Sources in the bundle's CSP (headers and `<meta>` in `<head>`) that Chrome's own policy
    refuses for the same directive: `'unsafe-inline'`, `'unsafe-eval'`,
    nonces, hashes or remote hosts in `script-src`, `http:` anywhere, remote
    fonts, and so on.

    ## Why it matters
    Both policies apply, so these entries loosen nothing. They mislead readers
    (and reviewers) into thinking an inline script or a CDN is allowed.

    ## Example
    ```
    Content-Security-Policy: script-src 'self' 'unsafe-inline' https://cdn.example.com
    ```

    ## Fix
    Remove them, and move the code they were meant to allow into the bundle.

    ## References
    Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`.
    """
    for source in csp_sources(ctx):
        for policy in parse_header(source.value):
            loose = without_effect(policy)
            if loose:
                listed = ", ".join(f"`{d} {t}`" for d, t in loose[:6]) + (f" and {len(loose) - 6} more" if len(loose) > 6 else "")
                yield Hit(f"{carried(source)} allows {listed}, which Chrome's policy blocks anyway", source.location)


@rule(id="HDR003", name="isolation-header-overwritten", level=Level.NOTE, needs=Need.HEADERS, tags=("headers", "coep"), security_severity=1.0)
def isolation_header_overwritten(ctx: Context) -> Iterator[Hit]:
    """A COOP, COEP or CORP header whose value Chrome replaces.

    ## What it checks
    `Cross-Origin-Opener-Policy`, `Cross-Origin-Embedder-Policy` and
    `Cross-Origin-Resource-Policy` response headers with a value other than
    Chrome's (`same-origin`, `require-corp`, `same-origin`), once per value.

    ## Why it matters
    Chrome sets these three on every IWA response, replacing the bundle's. A
    `credentialless` COEP or a `cross-origin` CORP in the bundle does nothing;
    code that relies on it (loading cross-origin images without CORP, say)
    fails.

    ## Example
    ```
    Cross-Origin-Embedder-Policy: credentialless
    ```

    ## Fix
    Remove the header, and design for `require-corp`: `crossorigin` on
    cross-origin media, or bundle the files.

    ## References
    Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`.
    """
    seen: dict[tuple[str, str], tuple[Resource, int]] = {}
    for resource in pages_first(ctx):
        for name, chrome in CHROME_ISOLATION.items():
            value = resource.headers.get(name)
            if value is not None and value.split(";", 1)[0].strip().lower() != chrome:
                first, count = seen.get((name, value), (resource, 0))
                seen[(name, value)] = (first, count + 1)
    for (name, value), (resource, count) in seen.items():
        many = f" ({count} responses)" if count > 1 else ""
        yield Hit(f"`{name}: {value}` is replaced by Chrome with `{CHROME_ISOLATION[name]}`{many}", header_location(resource, name))


RULES = (bundle_csp_blocks_more, bundle_csp_without_effect, isolation_header_overwritten)
