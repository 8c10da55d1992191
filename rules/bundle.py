"""BND: the Web Bundle's structure, URLs and responses, as Chromium's parser and IWA validator check them.

The readers record recoverable problems as `Problem`s with stable codes; these
rules give them a level, a message and docs. Anything the readers cannot parse
at all is an input error (AUD001), not a BND finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.model import BUNDLE_KINDS, Problem
from auditor.engine.registry import rule

RESPONSE_HEADER_PROBLEMS = ("bad-header-name", "bad-header-value", "bad-status", "headers-malformed", "headers-too-large")


def problems(ctx: Context, *codes: str) -> Iterator[Problem]:
    """The reader's problems with these codes, in file order."""
    return (p for p in ctx.bundle.problems if p.code in codes)


def problem_hit(ctx: Context, problem: Problem, message: str | None = None, **kwargs: object) -> Hit:
    """A hit at the problem's bytes, inside the resource it concerns."""
    location = ctx.bundle_location(problem.offset, problem.length or 0, resource=problem.resource)
    return Hit(message or problem.message, location, **kwargs)  # type: ignore[arg-type]


@rule(id="BND001", name="unsupported-bundle-version", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def unsupported_bundle_version(ctx: Context) -> Iterator[Hit]:
    """The web bundle is not format version b2 (for example the old b1).

    ## What it checks
    The version field after the web bundle's magic bytes. Only `b2` is read;
    any other version (`b1` from old tools, or an unknown one) is reported and
    the bundle's responses are not audited.

    ## Why it matters
    Chromium's parser refuses everything but b2 ("Bundle format version is 'b1'
    which is no longer supported"): the app cannot be installed or updated.

    ## Example
    ```
    wbn --dir dist --formatVersion b1 --primaryURL https://example.com/ -o app.wbn
    ```

    ## Fix
    Rebuild with a current `wbn`/webbundle plugin (b2 is the default) and
    without `--formatVersion b1`.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`.
    """
    version = ctx.bundle.format_version
    if version is not None and version != "b2":
        offset = ctx.bundle.integrity.size if ctx.bundle.integrity else 0
        yield Hit(
            f"web bundle format version is `{version}`; Chromium reads only `b2` (the responses were not audited)",
            ctx.bundle_location(offset, 0),
            help="rebuild the bundle with a current wbn or webbundle plugin",
        )


@rule(id="BND002", name="primary-url-present", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def primary_url_present(ctx: Context) -> Iterator[Hit]:
    """The bundle has a `primary` section; Chrome refuses it for an IWA.

    ## What it checks
    Whether the b2 bundle carries the optional `primary` section (a primary URL).

    ## Why it matters
    Chrome's IWA validator rejects the bundle with "Primary URL must not be
    present": the install or update fails.

    ## Example
    ```
    wbn --dir dist --baseURL isolated-app://<id>/ --primaryURL isolated-app://<id>/ -o app.wbn
    ```

    ## Fix
    Drop `--primaryURL` (or `primaryURL` in the webbundle plugin options).

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc`.
    """
    for problem in problems(ctx, "primary-url"):
        yield problem_hit(ctx, problem, f"the bundle has a primary URL (`{ctx.bundle.primary_url}`); Chrome rejects IWA bundles that have one", help="build without --primaryURL")


@rule(id="BND003", name="off-origin-url", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", "security"), security_severity=3.5)
def off_origin_url(ctx: Context) -> Iterator[Hit]:
    """A bundle URL is not on the app's own `isolated-app://<id>/` origin.

    ## What it checks
    Every index key, resolved against the app origin (relative keys such as
    `app.js` always land on it). An absolute key with another scheme or host is
    reported, including `isolated-app://` URLs of a different Web Bundle ID.

    ## Why it matters
    Chrome's IWA validator requires every entry to be an `isolated-app:` URL of
    this bundle's ID; one foreign URL makes the whole bundle fail to install.

    ## Example
    ```
    wbn --dir dist --baseURL https://example.com/ -o app.wbn
    ```

    ## Fix
    Use relative URLs (the `wbn` default without `--baseURL`) or
    `--baseURL isolated-app://<your id>/`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_response_reader_factory.cc`, `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc`.
    """
    for entry in ctx.bundle.index:
        resolved = entry.resolved_url or entry.raw_url
        parts = urlsplit(resolved)
        if parts.username or parts.password:
            continue  # BND004 reports credentials
        if _on_origin(ctx, resolved):
            continue
        yield Hit(
            f"bundle URL `{entry.raw_url}` is not on the app's origin; Chrome accepts only `isolated-app://<this id>/` URLs",
            ctx.bundle_location(entry.key_offset, 0, resource=resolved),
            help="use relative URLs in the bundle index",
        )


def resource_key(ctx: Context, resolved: str) -> str:
    """The resource path for a URL on the app origin (what findings name), else the URL itself."""
    if not _on_origin(ctx, resolved):
        return resolved
    parts = urlsplit(resolved)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _on_origin(ctx: Context, resolved: str) -> bool:
    """True for `isolated-app://<host>/...` where host is the bundle's (or the reader's placeholder)."""
    parts = urlsplit(resolved)
    if parts.scheme != "isolated-app" or parts.port is not None:
        return False
    origin = ctx.bundle.origin
    if origin is not None:
        return parts.hostname == urlsplit(origin).hostname
    from auditor.readers.web_bundle import PLACEHOLDER_HOST

    return parts.hostname == PLACEHOLDER_HOST


@rule(id="BND004", name="url-query-fragment-or-credentials", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def url_query_fragment_or_credentials(ctx: Context) -> Iterator[Hit]:
    """A bundle URL carries a query, a fragment or credentials.

    ## What it checks
    Every index key, after resolution: `?query`, `#fragment` and `user:pass@`.

    ## Why it matters
    Chromium's bundle parser rejects URLs with a fragment or credentials, and
    the IWA validator rejects any entry with a query or a fragment: the bundle
    does not install. `wbn` itself refuses fragments and credentials but lets
    queries through, so a query usually comes from a custom build step.

    ## Example
    ```
    index: { "app.js?v=3": [...] }
    ```

    ## Fix
    Put cache-busting in the file name (`app.3f2a.js`), never in a query.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc`; the `wbn` package's encoder (WICG/webpackage `js/bundle`).
    """
    for entry in ctx.bundle.index:
        parts = urlsplit(entry.resolved_url or entry.raw_url)
        found = [label for label, present in (("credentials", parts.username or parts.password), ("a query", parts.query), ("a fragment", parts.fragment or "#" in entry.raw_url)) if present]
        if found:
            yield Hit(
                f"bundle URL `{entry.raw_url}` has {' and '.join(found)}; Chrome rejects such IWA entries",
                ctx.bundle_location(entry.key_offset, 0, resource=resource_key(ctx, entry.resolved_url or entry.raw_url)),
                help="remove the query, fragment or credentials from the URL",
            )


@rule(id="BND005", name="duplicate-resolved-url", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", "security"), security_severity=5.0)
def duplicate_resolved_url(ctx: Context) -> Iterator[Hit]:
    """Two index keys resolve to the same URL; Chromium silently serves the first.

    ## What it checks
    Index keys that differ as strings but name the same URL once resolved
    against the app origin, such as `""` and `"./"`, or `index.html` and
    `./index.html`.

    ## Why it matters
    They are not a CBOR duplicate, so nothing fails: Chromium keeps the first
    and ignores the second. A reviewer or tool that reads the second response
    sees content the app never serves (a parser differential).

    ## Example
    ```
    index: { "": [0, 120], "./": [120, 90] }
    ```

    ## Fix
    Make the build emit each URL once.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`.
    """
    for problem in problems(ctx, "alias-url"):
        yield problem_hit(ctx, problem, help="remove the second key; only the first one's response is ever served")


@rule(id="BND006", name="non-200-response", level=Level.WARNING, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=2.0)
def non_200_response(ctx: Context) -> Iterator[Hit]:
    """A response's status is not 200; Chrome installs the bundle but will not load that URL.

    ## What it checks
    The `:status` of every response in the bundle.

    ## Why it matters
    Chrome serves IWA resources only from 200 responses; any other status
    (redirects included) is an error when the URL is loaded. `wbn` writes a
    301 entry for every `dir/index.html`, so links to `…/index.html` fail at
    run time.

    ## Example
    ```
    "index.html": 301, location: ./
    ```

    ## Fix
    Link to the directory URL (`/`) instead, or drop the redirect entries
    from the bundle (the webbundle plugins do not write them).

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`; the `wbn` package's encoder (WICG/webpackage `js/bundle`).
    """
    for resource in ctx.bundle.resources.values():
        if resource.status != 200:
            offset, length = resource.byte_range or (None, 0)
            yield Hit(
                f"`{resource.path}` has status {resource.status}; Chrome will not load it in the app",
                ctx.bundle_location(offset, length, resource=resource.path),
                help="link to the target URL directly, or remove this entry",
            )


@rule(id="BND007", name="invalid-response-headers", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def invalid_response_headers(ctx: Context) -> Iterator[Hit]:
    """A response's headers break Chromium's rules (upper-case or invalid names, bad `:status`, size).

    ## What it checks
    Each response's header map: names must be lower-case HTTP tokens, values
    free of CR, LF and NUL, `:status` the only pseudo-header with exactly
    three digits, the encoded map smaller than 512 KiB and a canonical CBOR
    map of byte strings.

    ## Why it matters
    Chromium checks these when it reads the URL and refuses the response: the
    page or script fails to load at run time, not at install.

    ## Example
    ```
    --headerOverride '{"Content-Security-Policy": "…"}'   # upper case name
    ```

    ## Fix
    Write header names in lower case and values on one line.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`; the Web Bundles format draft (WICG/webpackage `draft-yasskin-wpack-bundled-exchanges`).
    """
    for problem in problems(ctx, *RESPONSE_HEADER_PROBLEMS):
        yield problem_hit(ctx, problem, f"`{problem.resource}`: {problem.message}", help="header names in lower case; `:status` three digits; no CR/LF/NUL")


@rule(id="BND008", name="missing-content-type", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def missing_content_type(ctx: Context) -> Iterator[Hit]:
    """A non-empty response has no `content-type`; Chromium refuses to serve it.

    ## What it checks
    Every response with a payload of one byte or more for a `content-type`
    header.

    ## Why it matters
    Chromium's bundle reader rejects a non-empty response without a content
    type, so the resource fails to load.

    ## Example
    ```
    "app.js": [{":status": "200"}, "console.log(1)"]
    ```

    ## Fix
    Let `wbn` infer the type from the file name, or set it in
    `--headerOverride`.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`.
    """
    for resource in ctx.bundle.resources.values():
        if resource.size and not resource.content_type:
            offset, length = resource.byte_range or (None, 0)
            yield Hit(
                f"`{resource.path}` has a {resource.size}-byte payload and no content-type",
                ctx.bundle_location(offset, length, resource=resource.path),
                help="add a content-type header for this response",
            )


@rule(id="BND009", name="bundle-length-mismatch", level=Level.WARNING, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def bundle_length_mismatch(ctx: Context) -> Iterator[Hit]:
    """The trailing length field disagrees with the bundle, or bytes follow it.

    ## What it checks
    The 8-byte length at the end of the web bundle against its real size, and
    bytes after the end of the bundle.

    ## Why it matters
    Readers that locate a bundle from the end of a file (as the format allows)
    find a different start than readers going from the front: the same file
    means different things to different tools.

    ## Example
    ```
    ... 48 00 00 00 00 00 00 10 00   # says 4096 bytes; the bundle is 3817
    ```

    ## Fix
    Rebuild the bundle; do not append data to a bundle file.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`; the Web Bundles format draft (WICG/webpackage `draft-yasskin-wpack-bundled-exchanges`).
    """
    for problem in problems(ctx, "bundle-length-mismatch", "trailing-bytes"):
        yield problem_hit(ctx, problem, help="rebuild the bundle with wbn or a webbundle plugin")


RULES = (
    unsupported_bundle_version,
    primary_url_present,
    off_origin_url,
    url_query_fragment_or_credentials,
    duplicate_resolved_url,
    non_200_response,
    invalid_response_headers,
    missing_content_type,
    bundle_length_mismatch,
)
