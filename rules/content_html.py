"""SCR rules on HTML: inline script, event handlers, `javascript:` URLs, `<object>`, `<base>`, `<meta>` CSPs.

Every IWA response carries Chrome's own CSP (Chromium
`components/webapps/isolated_web_apps/public/header_utils.cc`):

    base-uri 'none'; default-src 'self'; object-src 'none';
    frame-src 'self' https: blob: data:; connect-src 'self' https: wss: blob: data:;
    script-src 'self' 'wasm-unsafe-eval'; img-src 'self' https: blob: data:;
    media-src 'self' https: blob: data:; font-src 'self' blob: data:;
    style-src 'self' 'unsafe-inline'; require-trusted-types-for 'script'; frame-ancestors 'self'

Pages are read as Chromium reads them (auditor.parse.html: the HTML5 algorithm with
scripting on), `srcdoc` and `data:` frames included: they inherit the page's CSP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.rules.content_common import checked_scripts, is_event_handler, kind_of, page_policies, quote, rel_tokens

from auditor.chrome.csp import CHROME_POLICY, allows, effective
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.lazy import LazyPattern
from auditor.engine.registry import Need, rule
from auditor.parse.html import attribute_location, documents, runs_as_script, script_source, script_type, tag_location
from auditor.parse.js import query_matches, register_query

JAVASCRIPT_URL = re.compile(r"^[\x00-\x20]*j[\t\n\r]*a[\t\n\r]*v[\t\n\r]*a[\t\n\r]*s[\t\n\r]*c[\t\n\r]*r[\t\n\r]*i[\t\n\r]*p[\t\n\r]*t[\t\n\r]*:", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href")
JAVASCRIPT_URL_PATTERN = '"^[\\\\x00-\\\\x20]*[jJ][aA][vV][aA][sS][cC][rR][iI][pP][tT]:"'
SET_ATTRIBUTE_QUERY = register_query("""(call_expression
      function: (member_expression property: (property_identifier) @m (#eq? @m "setAttribute"))
      arguments: (arguments . (string (string_fragment) @name (#match? @name "^[oO][nN][a-zA-Z]+$")))) @call""", (b"setAttribute",))
JAVASCRIPT_URL_QUERY = register_query(f"""
    (assignment_expression
      left: [(identifier) @target (member_expression property: (property_identifier) @target)]
      right: (string (string_fragment) @url)
      (#any-of? @target "href" "src" "action" "location") (#match? @url {JAVASCRIPT_URL_PATTERN})) @use
    (call_expression
      function: (member_expression object: [(identifier) @o (member_expression property: (property_identifier) @o)] property: (property_identifier) @f)
      arguments: (arguments . (string (string_fragment) @url))
      (#any-of? @o "location" "window") (#any-of? @f "assign" "replace" "open") (#match? @url {JAVASCRIPT_URL_PATTERN})) @use
    """, (b"script:", b"Script:", b"SCRIPT:"))


@rule(id="SCR001", per_resource=True, name="inline-script", level=Level.ERROR, needs=Need.HTML, tags=("csp", "script-src"), security_severity=2.0)
def inline_script(ctx: Context) -> Iterator[Hit]:
    """An inline `<script>` (classic, module, import map or speculation rules): blocked by `script-src`.

    ## What it checks
    `<script>` elements (HTML and SVG) without `src` whose `type` makes them
    execute or be parsed as script: no type, an exact JavaScript MIME type,
    `module`, `importmap`, `speculationrules`; in the page, in `<iframe srcdoc>`
    documents (entity-encoded markup included) and in `data:text/html` frames,
    which inherit the page's CSP. Never reported, because they never run:
    data blocks (`application/json`, `text/x-template`, ...), a MIME type with
    parameters (`text/javascript; charset=utf-8`), `language="vbscript"`
    without a type, `nomodule` scripts, scripts inside `<template>`, and
    `<script>` text inside raw-text elements (`<noscript>`, `<textarea>`,
    `<title>`, `<xmp>`) or comments, as the HTML5 parser reads them.

    ## Why it matters
    Chrome's IWA CSP has `script-src 'self' 'wasm-unsafe-eval'`: no
    `'unsafe-inline'`, and hashes or nonces in a bundle CSP cannot add it
    (Chrome's own policy still applies). The script never runs; an inline import
    map is blocked too, so every bare import that needs it fails.

    ## Example
    ```html
    <script type="importmap">{"imports": {"lit": "/lib/lit.js"}}</script>
    <script>window.start()</script>
    ```

    ## Fix
    Move the code to a file in the bundle (`<script type="module" src="/main.js">`);
    resolve import maps at build time (your bundler does this).

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements("script"):
            if script_source(tag) is not None or not runs_as_script(tag):
                continue
            if tag.text == "":
                continue  # "prepare the script element" returns before CSP when the source text is empty
            kind = script_type(tag) or "classic"
            where = f" in an `<iframe {document.origin}>` document" if document.nested else ""
            yield Hit(f"inline {kind} `<script>`{where} is blocked by `script-src 'self'`", tag_location(document, tag), help="move it to a .js file in the bundle")


@rule(id="SCR002", per_resource=True, name="inline-event-handler", level=Level.ERROR, needs=Need.HTML | Need.JS, tags=("csp", "script-src"), security_severity=2.0)
def inline_event_handler(ctx: Context) -> Iterator[Hit]:
    """An inline event handler (`onclick=`...), in HTML or set with `setAttribute('on…')`: blocked.

    ## What it checks
    Event handler attributes (`on` + an event name from the HTML and SVG
    specs and Blink's own list, shipped as `schemas/event-handlers.txt`:
    `onclick`, `onload`, SVG's `onbegin`, `oncommand`...) on any element, those
    inside `<template>` included (Chromium reports them although the template is
    never used), and `setAttribute` calls whose first argument is one.

    ## Why it matters
    Inline handlers are inline script: `script-src` without `'unsafe-inline'`
    refuses them as soon as they are parsed (Chromium reports the violation even
    if the event never fires). The button does nothing.

    ## Example
    ```html
    <button onclick="save()">Save</button>
    ```

    ## Fix
    `button.addEventListener("click", save)` in a bundled script.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements(inert=True):  # Chromium reports handlers inside <template> too
            for name in tag.attrs:
                if is_event_handler(name):
                    yield Hit(f"inline event handler `{name}` on `<{tag.name}>` is blocked by `script-src 'self'`", attribute_location(ctx, document, tag, name), help="use addEventListener in a bundled script")
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, SET_ATTRIBUTE_QUERY):
            name = tree.text(captures["name"][0]).lower()
            if not is_event_handler(name):
                continue
            yield Hit(f"`setAttribute(\"{name}\", …)` creates an inline event handler, blocked by `script-src 'self'`", tree.location(ctx, captures["call"][0]), help="use addEventListener")


REFRESH_URL = LazyPattern(r"^\s*[0-9.]*\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*)$", re.IGNORECASE | re.DOTALL)


def refresh_target(tag) -> str | None:
    """The URL a `<meta http-equiv=refresh>` navigates to (HTML "shared declarative refresh steps")."""
    if str(tag.get("http-equiv", "")).strip().lower() != "refresh" or not isinstance(tag.get("content"), str):
        return None
    match = REFRESH_URL.match(tag["content"])
    if match is None:
        return None
    quote_char, url = match.groups()
    if quote_char and quote_char in url:
        url = url[: url.index(quote_char)]
    return url.strip() or None


@rule(id="SCR003", per_resource=True, name="javascript-url", level=Level.ERROR, needs=Need.HTML | Need.JS, tags=("csp", "script-src"), security_severity=2.0)
def javascript_url(ctx: Context) -> Iterator[Hit]:
    """A `javascript:` URL in a link, form or frame, or navigated to from script: blocked.

    ## What it checks
    `href`, `src`, `action`, `formaction` and `data` attributes whose value is a
    `javascript:` URL (leading spaces and control characters ignored, as
    browsers do), `<meta http-equiv="refresh">` to one, and script that assigns
    one to `href`/`src`/`location` or passes one to `location.assign/replace`
    or `window.open`.

    ## Why it matters
    `javascript:` URLs are inline script; `script-src 'self'` blocks them when
    followed, so the link or button does nothing.

    ## Example
    ```html
    <a href="javascript:void(openMenu())">Menu</a>
    ```

    ## Fix
    A `<button>` with a click listener added from a bundled script.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements():
            for name in URL_ATTRIBUTES:
                value = tag.get(name)
                if isinstance(value, str) and JAVASCRIPT_URL.match(value):
                    yield Hit(f"`javascript:` URL in `<{tag.name} {name}>` is blocked by `script-src 'self'`", attribute_location(ctx, document, tag, name))
        for tag in document.elements("meta"):
            target = refresh_target(tag)
            if target is not None and JAVASCRIPT_URL.match(target):
                yield Hit("`<meta http-equiv=refresh>` to a `javascript:` URL is refused", attribute_location(ctx, document, tag, "content"))
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, JAVASCRIPT_URL_QUERY):
            yield Hit("script navigates to a `javascript:` URL, blocked by `script-src 'self'`", tree.location(ctx, captures["use"][0]))


@rule(id="SCR011", per_resource=True, name="object-or-embed", level=Level.ERROR, needs=Need.HTML, tags=("csp", "object-src"), security_severity=3.0)
def object_or_embed(ctx: Context) -> Iterator[Hit]:
    """An `<object>` or `<embed>` element: blocked by `object-src 'none'`.

    ## What it checks
    Every `<object>` and `<embed>` element.

    ## Why it matters
    Chrome's IWA policy has `object-src 'none'`: plugins and embedded
    documents through these elements never load (the browser reports no line;
    the element is the place to fix).

    ## Example
    ```html
    <embed src="/manual.pdf" type="application/pdf">
    ```

    ## Fix
    Use `<iframe>` for documents, `<img>`/`<video>` for media.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements("object", "embed"):
            yield Hit(f"`<{tag.name}>` is blocked by `object-src 'none'`", tag_location(document, tag))


@rule(id="SCR012", per_resource=True, name="base-element", level=Level.ERROR, needs=Need.HTML, tags=("csp", "base-uri"), security_severity=3.0)
def base_element(ctx: Context) -> Iterator[Hit]:
    """A `<base href>`: blocked by `base-uri 'none'`, even when same-origin.

    ## What it checks
    `<base>` elements with an `href` (`<base target>` alone is allowed).

    ## Why it matters
    Chrome's IWA policy has `base-uri 'none'`: the base URL is ignored and every
    relative URL resolves against the document instead, so links and assets
    that relied on it break.

    ## Example
    ```html
    <base href="/app/">
    ```

    ## Fix
    Remove it and use root-relative URLs (set your bundler's `base` to `/`).

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements("base"):
            if tag.has_attr("href"):
                yield Hit("`<base href>` is blocked by `base-uri 'none'`", attribute_location(ctx, document, tag, "href"), help="remove it; use root-relative URLs")




# element -> (attribute, directive) of what it loads, for SCR015
LOADS = {
    "img": ("src", "img-src"), "video": ("src", "media-src"), "audio": ("src", "media-src"), "source": ("src", "media-src"),
    "track": ("src", "media-src"), "iframe": ("src", "frame-src"), "script": ("src", "script-src"),
}


def source_token(ctx: Context, url: str, document_path: str) -> str | None:
    """The CSP source expression a URL is matched as: `'self'`, a scheme, or `scheme://host`."""
    kind = kind_of(ctx, url, document_path)
    if kind == "self":
        return "'self'"
    if kind in ("data", "blob", "http", "https", "ws", "wss") and "//" not in url.strip()[len(kind) + 1 : len(kind) + 3]:
        return f"{kind}:"
    cleaned = url.strip()
    if cleaned.startswith("//"):
        cleaned = "https:" + cleaned
    scheme, _, rest = cleaned.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return f"{scheme.lower()}://{host.lower()}" if host else None


def narrowed(policy, directive: str, token: str) -> bool:
    """Chrome's policy lets `token` through for `directive` and this page policy does not."""
    return allows(effective(CHROME_POLICY, directive), token) and not allows(effective(policy, directive), token)


@rule(id="SCR015", per_resource=True, name="page-csp-blocks", level=Level.ERROR, needs=Need.HTML, tags=("csp",), security_severity=3.0)
def page_csp_blocks(ctx: Context) -> Iterator[Hit]:
    """A page's own `<meta>` CSP (in `<head>`) blocks something on that page that Chrome's policy allows.

    ## What it checks
    For each page with `<meta http-equiv="Content-Security-Policy">` in its
    `<head>` (a `srcdoc` or `data:` frame inherits its parent's), the page's
    images, media, frames and scripts (by URL), stylesheets, inline `<style>`
    and `style=` attributes, judged against that policy with CSP fallbacks.
    Reported at the blocked construct, only where Chrome's own IWA policy
    would let it through (the other SCR rules report the rest). A `<meta>` CSP
    inside `<body>` is ignored, as Chromium ignores it.

    ## Why it matters
    Policies add up: a load must pass Chrome's CSP and every policy the page
    declares, so a stricter `<meta>` policy breaks what the app expects to
    work (remote images, inline styles...).

    ## Example
    ```html
    <head><meta http-equiv="Content-Security-Policy" content="img-src 'self'"></head>
    <body><img src="https://images.example.com/a.png" crossorigin></body>
    ```

    ## Fix
    Widen the `<meta>` policy to what the page loads, or remove it (Chrome
    supplies the IWA policy).

    ## References
    CSP Level 3 §3.3 (`<meta>` delivery, head only); Chromium
    `third_party/blink/renderer/core/html/html_meta_element.cc`.
    """
    for document in documents(ctx):
        policies = page_policies(ctx, document)
        if not policies:
            continue
        path = document.resource.path
        for tag in document.elements():
            checks = []
            if tag.name in LOADS and isinstance(tag.get(LOADS[tag.name][0]), str):
                attribute, directive = LOADS[tag.name]
                checks.append((attribute, directive, tag.get(attribute)))
            elif tag.name == "link" and "stylesheet" in rel_tokens(tag) and isinstance(tag.get("href"), str):
                checks.append(("href", "style-src", tag.get("href")))
            for attribute, directive, url in checks:
                token = source_token(ctx, url, path)
                for _, policy in policies:
                    if token is not None and narrowed(policy, directive, token):
                        yield Hit(f"the page's `<meta>` CSP blocks `<{tag.name} {attribute}=\"{quote(url)}\">` (`{directive}` lacks {token})", attribute_location(ctx, document, tag, attribute))
                        break
            inline_style = tag.name == "style" or tag.has_attr("style")
            if inline_style and any(narrowed(policy, "style-src", "'unsafe-inline'") for _, policy in policies):
                where = tag_location(document, tag) if tag.name == "style" else attribute_location(ctx, document, tag, "style")
                what = "inline `<style>`" if tag.name == "style" else f"`style=` on `<{tag.name}>`"
                yield Hit(f"the page's `<meta>` CSP blocks {what} (`style-src` lacks 'unsafe-inline')", where)


RULES = (inline_script, inline_event_handler, javascript_url, object_or_embed, base_element, page_csp_blocks)
