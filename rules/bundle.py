"""BND: the Web Bundle's structure, URLs and responses, as Chromium's parser and IWA validator check them.

The readers record recoverable problems as `Problem`s with stable codes; these
rules give them a level, a message and docs. Anything the readers cannot parse
at all is an input error (AUD001), not a BND finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.chrome.install_verdict import INSTALL
from auditor.chrome.urls import MANIFEST_PATH, PLACEHOLDER_HOST, ChromeUrl, alias_groups, app_host, canonicalize
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.model import BUNDLE_KINDS, IndexEntry, InputKind, Problem
from auditor.engine.registry import rule
from auditor.parse.html import HTML_MIME_TYPES
from auditor.parse.js import JS_MIME_TYPES, JS_SUFFIXES

RESPONSE_HEADER_PROBLEMS = ("bad-header-name", "bad-header-value", "bad-status", "headers-malformed", "headers-too-large")


def problems(ctx: Context, *codes: str) -> Iterator[Problem]:
    """The reader's problems with these codes, in file order."""
    return (p for p in ctx.bundle.problems if p.code in codes)


def problem_hit(ctx: Context, problem: Problem, message: str | None = None, **kwargs: object) -> Hit:
    """A hit at the problem's bytes, inside the resource it concerns."""
    location = ctx.bundle_location(problem.offset, problem.length or 0, resource=problem.resource)
    return Hit(message or problem.message, location, **kwargs)  # type: ignore[arg-type]


@rule(id="BND001", name="unsupported-bundle-version", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", INSTALL), security_severity=3.0)
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


@rule(id="BND002", name="primary-url-present", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", INSTALL), security_severity=3.0)
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


@rule(id="BND003", name="off-origin-url", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", "security", INSTALL), security_severity=3.5)
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
        url = entry_url(entry)
        if url is None or (url.credentials and not url.is_app):
            continue  # BND004 reports refused keys and credentials
        if on_origin(ctx, url):
            continue
        yield Hit(
            f"bundle URL `{entry.raw_url}` is not on the app's origin; Chrome accepts only `isolated-app://<this id>/` URLs",
            ctx.bundle_location(entry.key_offset, 0, resource=url.href),
            help="use relative URLs in the bundle index",
        )


def entry_url(entry: IndexEntry) -> ChromeUrl | None:
    """The URL an index key canonicalises to (the reader stored its GURL spec), None when Chrome refuses it."""
    return canonicalize(entry.resolved_url) if entry.resolved_url is not None else None


def on_origin(ctx: Context, url: ChromeUrl) -> bool:
    """True for `isolated-app://<host>/...` where host is the bundle's (or the placeholder while the ID is unknown)."""
    return url.is_app and url.host == (app_host(ctx.bundle.origin) or PLACEHOLDER_HOST)


@rule(id="BND004", name="url-query-fragment-or-credentials", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", INSTALL), security_severity=3.0)
def url_query_fragment_or_credentials(ctx: Context) -> Iterator[Hit]:
    """A bundle URL carries a query, a fragment or credentials.

    ## What it checks
    Every index key, after resolution: `?query`, `#fragment` (an empty `?` or
    `#` counts) and, for other schemes, `user:pass@`. User info and a port in
    an `isolated-app:` key are no error: Chrome drops them. Also a key Chrome
    refuses outright: one that is not a valid URL once resolved (an empty or
    malformed host) or holds a Unicode noncharacter.

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
    for problem in problems(ctx, "invalid-url"):
        yield problem_hit(ctx, problem, help="write index keys as plain relative URLs such as `app.js`")
    for entry in ctx.bundle.index:
        url = entry_url(entry)
        if url is None:
            continue
        found = [label for label, present in (("credentials", url.credentials), ("a query", url.query is not None), ("a fragment", url.fragment is not None)) if present]
        if found:
            yield Hit(
                f"bundle URL `{entry.raw_url}` has {' and '.join(found)}; Chrome rejects such IWA entries",
                ctx.bundle_location(entry.key_offset, 0, resource=entry.key),
                help="remove the query, fragment or credentials from the URL",
            )


@rule(id="BND005", name="duplicate-resolved-url", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle", "security"), security_severity=5.0)
def duplicate_resolved_url(ctx: Context) -> Iterator[Hit]:
    """Several index keys canonicalise to one URL (an alias group); Chrome serves only the first.

    ## What it checks
    Every index key is resolved against `isolated-app://<id>/` as Chrome's
    GURL does it (see the README: `%2e` dot segments, backslashes, a
    percent-encoded or fullwidth host, user info, a port, `isolated-app:x`,
    surrounding spaces all canonicalise away). Keys that end up as the same
    URL form an alias group; each is listed with its byte offset. The group
    is an error when it names the manifest, a page or a script (by the
    served response's content type or the path's extension), a warning
    otherwise.

    ## Why it matters
    They are not a CBOR duplicate, so nothing fails: Chrome builds its map of
    URLs in index order and keeps the first of equal ones. A reviewer or tool
    that reads another copy sees content the app never serves: a bundle can
    carry a harmless `/.well-known/manifest.webmanifest` while Chrome installs
    an earlier-indexed `%2e/.well-known/manifest.webmanifest` with other
    permissions. iwa-audit itself reads the copy Chrome serves.

    ## Example
    ```
    index: { ".well-known/manifest.webmanifest": [...], "/.well-known/manifest.webmanifest": [...] }
    ```

    ## Fix
    Make the build emit each URL once, spelled plainly (`wbn --dir` does).

    ## References
    Chromium `components/web_package/web_bundle_parser.cc` (`ParseExchangeURL`,
    the `base::flat_map` built from the index), `url/url_canon_stdurl.cc`,
    `url/url_canon_path.cc`.
    """
    for key, group in alias_groups(ctx.bundle.index, lambda e: e.key).items():
        if len(group) < 2:
            continue
        first = group[0]
        keys = ", ".join(f"`{e.raw_url}` (key @{e.key_offset})" for e in group)
        what = alias_kind(ctx, key)
        if what is not None:
            message = f"{len(group)} index keys name {what} `{key}`: {keys}; Chrome installs the first, `{first.raw_url}` (response @{first.offset}), and never serves the others"
        else:
            message = f"{len(group)} index keys name `{key}`: {keys}; Chrome serves the first, `{first.raw_url}` (response @{first.offset})"
        yield Hit(
            message,
            ctx.bundle_location(first.key_offset, 0, resource=key),
            level=Level.ERROR if what is not None else Level.WARNING,
            help="emit each URL once; only the first key's response is ever served",
        )


def alias_kind(ctx: Context, key: str) -> str | None:
    """`the manifest`, `a page` or `a script` when an alias group names one (what a reviewer must not misread)."""
    if key == MANIFEST_PATH:
        return "the manifest"
    served_copy = ctx.bundle.resources.get(key)
    mime = served_copy.mime_type if served_copy is not None else ""
    path = key.split("?", 1)[0].split("#", 1)[0].lower()
    if mime in HTML_MIME_TYPES or path.endswith(("/", ".html", ".htm", ".xhtml")):
        return "a page"
    if mime in JS_MIME_TYPES or path.endswith(JS_SUFFIXES):
        return "a script"
    return None


def page_links(ctx: Context) -> set[str]:
    """App paths the page in scope links to or loads: what BND006 keeps of each page."""
    from auditor.chrome.urls import resolve
    from auditor.parse.html import documents

    found: set[str] = set()
    for document in documents(ctx):
        base = document.resource.path if document.resource.path.startswith("/") else "/" + document.resource.path
        for tag in document.elements():
            for name in ("href", "src", "action", "formaction", "data"):
                value = tag.get(name)
                if isinstance(value, str):
                    url = resolve(value, ctx.bundle.origin, base)
                    if url is not None and url.same_origin:
                        found.add(url.path)
    return found


def collect_page_links(ctx: Context) -> object:
    """A page's links, summarised while it is parsed, only when some response is a redirect (BND006 asks then)."""
    if not ctx.memo("has-redirect", lambda: any(300 <= r.status < 400 for r in ctx.bundle.resources.values())):
        return None
    return ctx.summary("page-links", lambda: page_links(ctx))


@rule(id="BND006", name="non-200-response", level=Level.WARNING, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=2.0, collect=collect_page_links)
def non_200_response(ctx: Context) -> Iterator[Hit]:
    """A response's status is not 200; Chrome installs the bundle but will not load that URL.

    ## What it checks
    The `:status` of every response in the bundle.

    ## Why it matters
    Chrome serves IWA resources only from 200 responses; any other status
    (redirects included) is an error when the URL is loaded. `wbn` writes a
    301 entry for every `dir/index.html`, so links to `…/index.html` fail at
    run time. A redirect that nothing in the app links to (not `start_url`,
    no manifest entry point, no page link or load) is only a note: the
    official tools always write them, and nothing ever loads them.

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
    linked = None
    for resource in ctx.bundle.resources.values():
        if resource.status != 200:
            offset, length = resource.byte_range or (None, 0)
            if 300 <= resource.status < 400:
                linked = linked_paths(ctx) if linked is None else linked
                if resource.path not in linked:
                    yield Hit(
                        f"`{resource.path}` is a {resource.status} redirect nothing in the app links to; Chrome would not load it, but nothing asks it to",
                        ctx.bundle_location(offset, length, resource=resource.path),
                        level=Level.NOTE,
                        help="harmless: the official tools write these redirects (`wbn` for every `…/index.html`)",
                    )
                    continue
            yield Hit(
                f"`{resource.path}` has status {resource.status}; Chrome will not load it in the app",
                ctx.bundle_location(offset, length, resource=resource.path),
                help="link to the target URL directly, or remove this entry",
            )


def linked_paths(ctx: Context) -> set[str]:
    """App paths something points at: the manifest's `start_url` and entry points, and page links and loads."""
    from auditor.chrome.manifest import member_target, parsed_manifest

    found: set[str] = set()
    manifest = parsed_manifest(ctx)
    if manifest is not None:
        data = manifest.data
        refs = [data.get("start_url")]
        refs += [item.get("url") for item in data.get("shortcuts", []) if isinstance(item, dict)] if isinstance(data.get("shortcuts"), list) else []
        refs += [item.get("action") for item in data.get("file_handlers", []) if isinstance(item, dict)] if isinstance(data.get("file_handlers"), list) else []
        share = data.get("share_target")
        refs += [share.get("action")] if isinstance(share, dict) else []
        for ref in refs:
            if isinstance(ref, str):
                url, _ = member_target(ctx, ref)
                if url is not None and url.same_origin:
                    found.add(url.path)
    for links in ctx.summaries("page-links", lambda: page_links(ctx)):
        found |= links
    return found


@rule(id="BND007", name="invalid-response-headers", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def invalid_response_headers(ctx: Context) -> Iterator[Hit]:
    """A response's headers break Chromium's rules (upper-case or invalid names, bad `:status`, size).

    ## What it checks
    Each response's header map: names must be lower-case HTTP tokens, values
    visible characters with spaces or tabs only inside them (no control
    character, DEL included, and no leading or trailing space or tab; an
    empty value is fine), `:status` the only pseudo-header with exactly
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
    Write header names in lower case and values on one line, trimmed.

    ## References
    Chromium `components/web_package/rust/parser.rs` (header names and
    values); Chromium `components/web_package/web_bundle_parser.cc`, `components/web_package/rust/parser.rs`; the Web Bundles format draft (WICG/webpackage `draft-yasskin-wpack-bundled-exchanges`).
    """
    for problem in problems(ctx, *RESPONSE_HEADER_PROBLEMS):
        yield problem_hit(ctx, problem, f"`{problem.resource}`: {problem.message}", help="header names in lower case; `:status` three digits; values trimmed, without control characters")


@rule(id="BND008", name="missing-content-type", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def missing_content_type(ctx: Context) -> Iterator[Hit]:
    """A non-empty response has no `content-type`; Chromium refuses to serve it.

    ## What it checks
    Every response with a payload of one byte or more for a `content-type`
    header. An empty value is accepted by Chrome's parser and reported as a
    warning only: the resource loads, but nothing that needs a MIME type
    (module scripts, stylesheets) accepts it.

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
    Chromium `components/web_package/rust/parser.rs`;
    Chromium `components/web_package/web_bundle_parser.cc`, `components/web_package/rust/parser.rs`.
    """
    for resource in ctx.bundle.resources.values():
        if not resource.size:
            continue
        offset, length = resource.byte_range or (None, 0)
        if resource.content_type is None:
            yield Hit(
                f"`{resource.path}` has a {resource.size}-byte payload and no content-type",
                ctx.bundle_location(offset, length, resource=resource.path),
                help="add a content-type header for this response",
            )
        elif not resource.content_type.strip():
            yield Hit(
                f"`{resource.path}` has an empty content-type; Chrome serves it, but without a MIME type scripts, styles and module workers are refused",
                ctx.bundle_location(offset, length, resource=resource.path),
                level=Level.WARNING,
                help="set the content-type this file needs",
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
    means different things to different tools. In a Signed Web Bundle Chrome
    never reads the trailing length (the IWA reader starts the web bundle
    where the integrity block ends), so there the findings are notes, and a
    missing trailing length is one too.

    ## Example
    ```
    ... 48 00 00 00 00 00 00 10 00   # says 4096 bytes; the bundle is 3817
    ```

    ## Fix
    Rebuild the bundle; do not append data to a bundle file.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc`; the Web Bundles format draft (WICG/webpackage `draft-yasskin-wpack-bundled-exchanges`).
    """
    signed = ctx.bundle.kind is InputKind.SWBN
    for problem in problems(ctx, "bundle-length-mismatch", "trailing-bytes", "trailer-not-read"):
        yield problem_hit(ctx, problem, help="rebuild the bundle with wbn or a webbundle plugin", level=Level.NOTE if signed else None)


@rule(id="BND010", name="unreadable-response", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("bundle",), security_severity=3.0)
def unreadable_response(ctx: Context) -> Iterator[Hit]:
    """A response cannot be parsed: Chrome installs the bundle, but that URL never loads.

    ## What it checks
    Each index entry's response: a CBOR array of two byte strings (the header
    map and the payload) whose encoded length is what the index says.

    ## Why it matters
    Chrome reads responses lazily, when their URL is requested. A malformed
    one does not stop the install; the page, script or image at that URL
    fails every time it is loaded. Its content is not audited (Chrome never
    serves it), and an alias of the same URL later in the index is not served
    either.

    ## Example
    ```
    index: {"app.js": [12, 40]}   # but the response at 12 is 38 bytes long
    ```

    ## Fix
    Rebuild the bundle with `wbn` or a webbundle plugin; never edit one by hand.

    ## References
    Chromium `components/web_package/web_bundle_parser.cc` (`ParseResponse`)
    and `components/web_package/rust/parser.rs`; Chromium `components/web_package/rust/parser.rs`.
    """
    for problem in problems(ctx, "response-malformed"):
        yield problem_hit(ctx, problem, help="rebuild the bundle; this URL fails to load in the app")


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
    unreadable_response,
)
