"""SCR: what Chrome's IWA policy (CSP, Trusted Types, COEP) blocks in the app's HTML, CSS and JS.

Every IWA response carries, from Chrome itself (iwa-policy.md §3.1):

    base-uri 'none'; default-src 'self'; object-src 'none';
    frame-src 'self' https: blob: data:; connect-src 'self' https: wss: blob: data:;
    script-src 'self' 'wasm-unsafe-eval'; img-src 'self' https: blob: data:;
    media-src 'self' https: blob: data:; font-src 'self' blob: data:;
    style-src 'self' 'unsafe-inline'; require-trusted-types-for 'script'; frame-ancestors 'self'

plus COOP same-origin and COEP require-corp. Each rule below is one construct
that policy blocks, named by the directive that blocks it. Where the spec's
reading of the CSP and what Chromium does differ (iwa-policy.md §9), Chromium
wins: string `eval`/timers are Trusted Types violations first; plain strings
given to `Worker`/`importScripts`/`serviceWorker.register` are blocked by
Trusted Types even when same-origin; `<img src="http:">` is upgraded, not
blocked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.chrome.urls import REMOTE_KINDS, url_kind
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.model import WEB_CONTENT_KINDS, InputKind
from auditor.engine.registry import Need, rule
from auditor.parse.html import SCRIPT_TYPES, attribute_location, documents, script_type, tag_location
from auditor.parse.js import JsTree, all_scripts, is_stringy, literal_text, query_matches, register_query, scripts

JAVASCRIPT_URL = re.compile(r"^[\x00-\x20]*j[\t\n\r]*a[\t\n\r]*v[\t\n\r]*a[\t\n\r]*s[\t\n\r]*c[\t\n\r]*r[\t\n\r]*i[\t\n\r]*p[\t\n\r]*t[\t\n\r]*:", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href")
# Event handler content attributes (HTML GlobalEventHandlers, WindowEventHandlers, DocumentAndElementEventHandlers).
EVENT_NAMES = frozenset(
    ["abort", "afterprint", "animationcancel", "animationend", "animationiteration", "animationstart", "auxclick", "beforeinput", "beforematch", "beforeprint", "beforetoggle", "beforeunload", "blur", "cancel", "canplay", "canplaythrough", "change", "click", "close", "contextlost", "contextmenu", "contextrestored", "copy", "cuechange", "cut", "dblclick", "drag", "dragend", "dragenter", "dragleave", "dragover", "dragstart", "drop", "durationchange", "emptied", "ended", "error", "focus", "focusin", "focusout", "formdata", "fullscreenchange", "fullscreenerror", "gotpointercapture", "hashchange", "input", "invalid", "keydown", "keypress", "keyup", "languagechange", "load", "loadeddata", "loadedmetadata", "loadstart", "lostpointercapture", "message", "messageerror", "mousedown", "mouseenter", "mouseleave", "mousemove", "mouseout", "mouseover", "mouseup", "mousewheel", "offline", "online", "pagehide", "pagereveal", "pageshow", "pageswap", "paste", "pause", "play", "playing", "pointercancel", "pointerdown", "pointerenter", "pointerleave", "pointermove", "pointerout", "pointerover", "pointerrawupdate", "pointerup", "popstate", "progress", "ratechange", "rejectionhandled", "reset", "resize", "scroll", "scrollend", "securitypolicyviolation", "seeked", "seeking", "select", "selectionchange", "selectstart", "slotchange", "stalled", "storage", "submit", "suspend", "timeupdate", "toggle", "touchcancel", "touchend", "touchmove", "touchstart", "transitioncancel", "transitionend", "transitionrun", "transitionstart", "unhandledrejection", "unload", "volumechange", "waiting", "webkitanimationend", "webkitanimationiteration", "webkitanimationstart", "webkittransitionend", "wheel", "search"]
)


def is_event_handler(name: str) -> bool:
    return name.startswith("on") and name[2:] in EVENT_NAMES


OFF_BUNDLE = REMOTE_KINDS | {"data", "blob"}
JS_PROFILE = WEB_CONTENT_KINDS  # remote code, eval and http: matter for Capacitor bundles too


# tree-sitter queries, registered once so every script is searched in one pass for all of them
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
      function: (member_expression object: (identifier) @o property: (property_identifier) @f)
      arguments: (arguments . (string (string_fragment) @url))
      (#any-of? @o "location" "window") (#any-of? @f "assign" "replace" "open") (#match? @url {JAVASCRIPT_URL_PATTERN})) @use
    """, (b"script:", b"Script:", b"SCRIPT:"))
IMPORT_QUERY = register_query("""
    (import_statement source: (string) @url) @use
    (export_statement source: (string) @url) @use
    (call_expression function: (import) arguments: (arguments . (_) @url)) @use
    """, (b"import", b"export"))
SCRIPT_ELEMENT_QUERY = register_query("""
    (variable_declarator name: (identifier) @element
      value: (call_expression function: (member_expression property: (property_identifier) @create)
                              arguments: (arguments . (string (string_fragment) @tag)))
      (#eq? @create "createElement") (#eq? @tag "script"))
    (assignment_expression left: (member_expression object: (identifier) @object property: (property_identifier) @sink)
      right: (_) @value (#any-of? @sink "src" "text" "textContent" "innerText")) @use
    """, (b"createElement", b"src", b"text", b"innerText"))
DEFAULT_POLICY_QUERY = register_query("""(call_expression
      function: (member_expression object: [(identifier) @tt (member_expression property: (property_identifier) @tt)]
                                   property: (property_identifier) @m)
      arguments: (arguments . (string (string_fragment) @name))
      (#eq? @tt "trustedTypes") (#eq? @m "createPolicy") (#eq? @name "default")) @call""", (b"createPolicy",))
EVAL_QUERY = register_query("""
    (call_expression function: [(identifier) @fn (member_expression object: (identifier) @g property: (property_identifier) @fn)]
      (#eq? @fn "eval")) @eval
    (new_expression constructor: (identifier) @fn (#eq? @fn "Function")) @function
    (call_expression function: (identifier) @fn (#eq? @fn "Function")) @function
    (call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]
      arguments: (arguments . (_) @arg)
      (#any-of? @fn "setTimeout" "setInterval")) @timer
    """, (b"eval", b"Function", b"setTimeout", b"setInterval"))
CONNECTION_QUERY = register_query("""
    (call_expression function: [(identifier) @api (member_expression property: (property_identifier) @api)]
      arguments: (arguments . (_) @arg) (#any-of? @api "fetch" "sendBeacon")) @use
    (call_expression function: (member_expression property: (property_identifier) @api)
      arguments: (arguments . (string) @method . (_) @arg) (#eq? @api "open")) @use
    (new_expression constructor: (identifier) @api arguments: (arguments . (_) @arg) (#any-of? @api "EventSource" "WebSocket")) @use
    """, (b"fetch", b"sendBeacon", b"open", b"EventSource", b"WebSocket"))
POLICY_RESULT_QUERY = register_query("""(variable_declarator name: (identifier) @name
      value: (call_expression function: (member_expression property: (property_identifier) @m))
      (#any-of? @m "createHTML" "createScript" "createScriptURL"))""", (b"createHTML", b"createScript"))


def base_path(document_path: str) -> str:
    return document_path if document_path.startswith("/") else "/" + document_path


def checked_scripts(ctx: Context) -> list[JsTree]:
    """Scripts whose code can run: script files, plus inline scripts where no CSP blocks them
    (Capacitor bundles). In an IWA an inline script never runs (SCR001), so its contents are moot."""
    return all_scripts(ctx) if ctx.bundle.kind is InputKind.OTA_ZIP else scripts(ctx)


def kind_of(ctx: Context, url: str, from_path: str = "/index.html") -> str:
    return url_kind(url, ctx.bundle.origin, base_path(from_path))


# --- HTML ---------------------------------------------------------------------------------------


@rule(id="SCR001", name="inline-script", level=Level.ERROR, needs=Need.HTML, tags=("csp", "script-src"), security_severity=2.0)
def inline_script(ctx: Context) -> Iterator[Hit]:
    """An inline `<script>` (classic, module, import map or speculation rules): blocked by `script-src`.

    ## What it checks
    `<script>` elements without `src` whose `type` makes them execute or be
    parsed as script: no type, a JavaScript MIME type, `module`, `importmap`,
    `speculationrules`. Data blocks (`application/json`, `application/ld+json`,
    `text/template`, ...) are not scripts and are allowed.

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
            if tag.has_attr("src") or script_type(tag) not in SCRIPT_TYPES:
                continue
            body = "".join(tag.strings)
            if body == "":
                continue  # an empty inline script never reaches the CSP check
            kind = script_type(tag) or "classic"
            yield Hit(f"inline {kind} `<script>` is blocked by `script-src 'self'`", tag_location(document, tag), help="move it to a .js file in the bundle")


@rule(id="SCR002", name="inline-event-handler", level=Level.ERROR, needs=Need.HTML | Need.JS, tags=("csp", "script-src"), security_severity=2.0)
def inline_event_handler(ctx: Context) -> Iterator[Hit]:
    """An inline event handler (`onclick=`...), in HTML or set with `setAttribute('on…')`: blocked.

    ## What it checks
    Event handler attributes (`on` + an HTML event name: `onclick`, `onload`,
    ...) on any element, and `setAttribute` calls whose first argument is one.

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
        for tag in document.elements():
            for name in tag.attrs:
                if is_event_handler(name):
                    yield Hit(f"inline event handler `{name}` on `<{tag.name}>` is blocked by `script-src 'self'`", attribute_location(ctx, document, tag, name), help="use addEventListener in a bundled script")
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, SET_ATTRIBUTE_QUERY):
            name = tree.text(captures["name"][0]).lower()
            if not is_event_handler(name):
                continue
            yield Hit(f"`setAttribute(\"{name}\", …)` creates an inline event handler, blocked by `script-src 'self'`", tree.location(ctx, captures["call"][0]), help="use addEventListener")


@rule(id="SCR003", name="javascript-url", level=Level.ERROR, needs=Need.HTML | Need.JS, tags=("csp", "script-src"), security_severity=2.0)
def javascript_url(ctx: Context) -> Iterator[Hit]:
    """A `javascript:` URL in a link, form or frame, or navigated to from script: blocked.

    ## What it checks
    `href`, `src`, `action`, `formaction` and `data` attributes whose value is a
    `javascript:` URL (leading spaces and control characters ignored, as
    browsers do), and script that assigns one to `href`/`src`/`location` or
    passes one to `location.assign/replace` or `window.open`.

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
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, JAVASCRIPT_URL_QUERY):
            yield Hit("script navigates to a `javascript:` URL, blocked by `script-src 'self'`", tree.location(ctx, captures["use"][0]))


@rule(id="SCR011", name="object-or-embed", level=Level.ERROR, needs=Need.HTML, tags=("csp", "object-src"), security_severity=3.0)
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


@rule(id="SCR012", name="base-element", level=Level.ERROR, needs=Need.HTML, tags=("csp", "base-uri"), security_severity=3.0)
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


# --- remote code and styles -----------------------------------------------------------------------


def remote_reason(kind: str) -> str:
    return {"data": "a `data:` URL", "blob": "a `blob:` URL", "http": "an `http:` URL", "isolated-app": "another app's URL"}.get(kind, "a remote URL")


@rule(id="SCR005", name="remote-script", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.HTML | Need.JS, tags=("csp", "script-src", "remote-code"), security_severity=8.0)
def remote_script(ctx: Context) -> Iterator[Hit]:
    """Script loaded from outside the bundle: `<script src>`, preloads, static or dynamic `import`.

    ## What it checks
    `<script src>`, `<link rel="modulepreload">` and `<link rel="preload"
    as="script">` whose URL is not in the app (https, http, protocol-relative,
    `data:`, `blob:`), and `import`/`export … from` and `import()` of such URLs
    written as literals. An `import()` of a computed URL is a note with low
    precision: it cannot be told statically.

    ## Why it matters
    For an IWA, `script-src 'self'` blocks them: the app breaks. For a
    Capacitor OTA bundle they are allowed, which is worse: code that is not
    in the signed, checksummed bundle runs with the app's privileges, so
    whoever controls that server (or the network, for `http:`) controls the app.

    ## Example
    ```html
    <script src="https://cdn.example.com/lib.min.js"></script>
    ```

    ## Fix
    Install the library and bundle it (`npm install lib` and import it).

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`); the plugin's source (Cap-go/capacitor-updater `src/definitions.ts`); the plugin's source (Cap-go/capacitor-updater `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` and `CryptoCipher.java`, `ios/Sources/CapacitorUpdaterPlugin/CryptoCipher.swift`).
    """
    for document in documents(ctx):
        for tag in document.elements("script", "link"):
            if tag.name == "script":
                attribute = "src"
            else:
                rel = {r.lower() for r in (tag.get("rel") or [])}
                if not ("modulepreload" in rel or ("preload" in rel and str(tag.get("as", "")).lower() == "script")):
                    continue
                attribute = "href"
            url = tag.get(attribute)
            if isinstance(url, str) and (kind := kind_of(ctx, url, document.resource.path)) != "self":
                yield Hit(f"`<{tag.name} {attribute}>` loads script from {remote_reason(kind)}: `{url[:120]}`", attribute_location(ctx, document, tag, attribute), help="bundle the script")
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, IMPORT_QUERY):
            text, exact = literal_text(tree, captures["url"][0])
            kind = kind_of(ctx, text, tree.resource.path) if text is not None else None
            if kind in OFF_BUNDLE:
                yield Hit(f"`import` of {remote_reason(kind)}: `{text[:120]}`", tree.location(ctx, captures["use"][0]), help="bundle the module")
            elif text is None or (not exact and text == ""):
                yield Hit(
                    "`import()` of a computed URL: whether it stays in the bundle cannot be told statically",
                    tree.location(ctx, captures["use"][0]),
                    level=Level.NOTE,
                    precision=Precision.LOW,
                )


@rule(id="SCR007", name="remote-stylesheet", level=Level.ERROR, needs=Need.HTML | Need.CSS, tags=("csp", "style-src", "remote-code"), security_severity=3.0)
def remote_stylesheet(ctx: Context) -> Iterator[Hit]:
    """A stylesheet from outside the bundle (`<link rel="stylesheet">` or `@import`): blocked by `style-src`.

    ## What it checks
    `<link rel="stylesheet" href>` and CSS `@import` (in stylesheets and
    `<style>` blocks) whose URL is not in the app.

    ## Why it matters
    `style-src 'self' 'unsafe-inline'` allows inline styles but no other
    origin: Google Fonts CSS and CDN themes never load, and the app renders
    unstyled.

    ## Example
    ```css
    @import url("https://fonts.googleapis.com/css2?family=Inter");
    ```

    ## Fix
    Download the stylesheet (and its fonts) into the bundle, or install the
    package (`@fontsource/inter`).

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    from auditor.parse.css import imports

    for document in documents(ctx):
        for tag in document.elements("link"):
            rel = {r.lower() for r in (tag.get("rel") or [])}
            url = tag.get("href")
            if "stylesheet" in rel and isinstance(url, str) and (kind := kind_of(ctx, url, document.resource.path)) != "self":
                yield Hit(f"stylesheet from {remote_reason(kind)} is blocked by `style-src 'self'`: `{url[:120]}`", attribute_location(ctx, document, tag, "href"))
    for found in imports(ctx):
        kind = kind_of(ctx, found.url, found.sheet.resource.path)
        if kind != "self":
            yield Hit(f"`@import` of {remote_reason(kind)} is blocked by `style-src 'self'`: `{found.url[:120]}`", found.sheet.location(ctx, found.node))


@rule(id="SCR008", name="remote-font", level=Level.ERROR, needs=Need.HTML | Need.CSS, tags=("csp", "font-src"), security_severity=2.0)
def remote_font(ctx: Context) -> Iterator[Hit]:
    """A web font from outside the bundle: blocked by `font-src 'self' blob: data:`.

    ## What it checks
    `url()` sources in `@font-face` rules and `<link rel="preload" as="font">`
    whose URL is neither in the app nor `blob:`/`data:`.

    ## Why it matters
    The font never loads: text falls back to a system font (and icon fonts
    show empty boxes).

    ## Example
    ```css
    @font-face { font-family: Inter; src: url(https://fonts.gstatic.com/s/inter.woff2); }
    ```

    ## Fix
    Ship the font file in the bundle and point `src` at it.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    from auditor.parse.css import font_sources

    for found in font_sources(ctx):
        kind = kind_of(ctx, found.url, found.sheet.resource.path)
        if kind not in ("self", "blob", "data"):
            yield Hit(f"font from {remote_reason(kind)} is blocked by `font-src`: `{found.url[:120]}`", found.sheet.location(ctx, found.node))
    for document in documents(ctx):
        for tag in document.elements("link"):
            rel = {r.lower() for r in (tag.get("rel") or [])}
            url = tag.get("href")
            if "preload" in rel and str(tag.get("as", "")).lower() == "font" and isinstance(url, str):
                kind = kind_of(ctx, url, document.resource.path)
                if kind not in ("self", "blob", "data"):
                    yield Hit(f"font preload from {remote_reason(kind)} is blocked by `font-src`: `{url[:120]}`", attribute_location(ctx, document, tag, "href"))


# --- http: and cross-origin media ---------------------------------------------------------------------


MEDIA_TAGS = ("video", "audio", "source", "track")


@rule(id="SCR009", name="insecure-media-or-frame", level=Level.ERROR, needs=Need.HTML, tags=("csp", "mixed-content"), security_severity=4.0)
def insecure_media_or_frame(ctx: Context) -> Iterator[Hit]:
    """An `http:` image, media file or frame.

    ## What it checks
    `src` of `<video>`, `<audio>`, `<source>`, `<track>` (error: `media-src`
    allows `https:` only) and `<iframe>` (error: `frame-src`), and `<img src>`
    (warning: Chromium upgrades it to `https:` first, and it then loads only if
    that server exists and sends `Cross-Origin-Resource-Policy`).

    ## Why it matters
    The media or frame never loads; the image works only by luck.

    ## Example
    ```html
    <video src="http://media.example.com/intro.mp4"></video>
    ```

    ## Fix
    Use `https:` URLs, or ship the file in the bundle.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements("img", "iframe", *MEDIA_TAGS):
            url = tag.get("src")
            if not isinstance(url, str) or kind_of(ctx, url, document.resource.path) != "http":
                continue
            location = attribute_location(ctx, document, tag, "src")
            if tag.name == "img":
                yield Hit(f"`<img src=\"{url[:100]}\">` is upgraded to https and then needs CORP from that server (COEP)", location, level=Level.WARNING)
            else:
                directive = "frame-src" if tag.name == "iframe" else "media-src"
                yield Hit(f"`http:` `<{tag.name}>` source is blocked by `{directive}`: `{url[:120]}`", location, help="use https")


@rule(id="SCR014", name="cross-origin-embed-needs-corp", level=Level.WARNING, needs=Need.HTML, tags=("coep",), precision=Precision.MEDIUM, security_severity=2.0)
def cross_origin_embed_needs_corp(ctx: Context) -> Iterator[Hit]:
    """A cross-origin image, media file or frame without `crossorigin` (or `credentialless`): COEP may block it.

    ## What it checks
    `<img>`, `<video>`, `<audio>`, `<source>` with an `https:` URL and no
    `crossorigin` attribute, and `<iframe>` with an `https:` URL and no
    `credentialless` attribute.

    ## Why it matters
    Chrome serves every IWA with `Cross-Origin-Embedder-Policy: require-corp`.
    A cross-origin resource loaded without CORS then loads only if its server
    sends `Cross-Origin-Resource-Policy: cross-origin` (frames: a COEP of their
    own). Whether it does is up to that server, so this is a warning.

    ## Example
    ```html
    <img src="https://images.example.com/logo.png">
    ```

    ## Fix
    Add `crossorigin` (the server must then send CORS headers), ask the server
    to send `Cross-Origin-Resource-Policy: cross-origin`, or ship the file. For
    frames, `<iframe credentialless>`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for document in documents(ctx):
        for tag in document.elements("img", "iframe", "video", "audio", "source"):
            url = tag.get("src")
            if not isinstance(url, str) or kind_of(ctx, url, document.resource.path) not in ("https", "remote-host"):
                continue
            if tag.name == "iframe":
                if not tag.has_attr("credentialless"):
                    yield Hit(f"cross-origin `<iframe>` without `credentialless` loads only if `{url[:100]}` sends COEP/CORP", attribute_location(ctx, document, tag, "src"))
            elif not tag.has_attr("crossorigin"):
                yield Hit(f"cross-origin `<{tag.name}>` without `crossorigin` loads only if `{url[:100]}` sends `Cross-Origin-Resource-Policy: cross-origin`", attribute_location(ctx, document, tag, "src"))


# --- JavaScript ---------------------------------------------------------------------------------------


def default_policy(ctx: Context) -> bool:
    """Whether the app creates a Trusted Types `default` policy (then plain strings pass its sinks)."""
    return ctx.memo("tt-default-policy", lambda: any(query_matches(tree, DEFAULT_POLICY_QUERY) for tree in scripts(ctx)))


@rule(id="SCR004", name="eval-like", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.JS, tags=("trusted-types", "script-src"), security_severity=6.0)
def eval_like(ctx: Context) -> Iterator[Hit]:
    """`eval`, `new Function`, or `setTimeout`/`setInterval` with a string: code from strings.

    ## What it checks
    Calls of `eval` (and `window.eval`), `Function(...)`/`new Function(...)`, and
    `setTimeout`/`setInterval` whose first argument is a string, a template or a
    concatenation with one.

    ## Why it matters
    In an IWA, Chromium stops these at the Trusted Types `TrustedScript` sink
    (`require-trusted-types-for 'script'`) before `script-src` (which lacks
    `'unsafe-eval'` anyway): they always throw. In a Capacitor OTA bundle they
    run, turning any injected string into code. Libraries that compile schemas
    or templates at run time (Ajv, some template engines) hit this.

    ## Example
    ```js
    setTimeout("refresh()", 1000);
    const check = new Function("x", "return x > 1");
    ```

    ## Fix
    Pass functions (`setTimeout(refresh, 1000)`); precompile schemas and
    templates at build time (Ajv standalone code).

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, EVAL_QUERY):
            if "eval" in captures:
                yield Hit("`eval` compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)", tree.location(ctx, captures["eval"][0]))
            elif "function" in captures:
                yield Hit("`Function` constructor compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)", tree.location(ctx, captures["function"][0]))
            elif is_stringy(captures["arg"][0]):
                name = tree.text(captures["fn"][0])
                yield Hit(f"`{name}` with a string compiles it into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)", tree.location(ctx, captures["timer"][0]), help="pass a function")


WORKER_QUERY = register_query("""
(new_expression constructor: (identifier) @api arguments: (arguments . (_) @arg) (#any-of? @api "Worker" "SharedWorker")) @use
(call_expression function: (identifier) @api arguments: (arguments . (_) @arg) (#eq? @api "importScripts")) @use
(call_expression
  function: (member_expression object: (member_expression property: (property_identifier) @sw) property: (property_identifier) @api)
  arguments: (arguments . (_) @arg)
  (#eq? @sw "serviceWorker") (#eq? @api "register")) @use
""", (b"Worker", b"importScripts", b"register"))
POLICY_MADE = ("createScriptURL", "createHTML", "createScript")


def policy_made(tree: JsTree, node) -> bool:
    """A value written as `policy.createScriptURL(...)` (or createHTML/createScript): trusted."""
    return node.type == "call_expression" and tree.text(node.child_by_field_name("function") or node).rsplit(".", 1)[-1] in POLICY_MADE


@rule(id="SCR006", name="worker-script-url", level=Level.ERROR, needs=Need.JS, tags=("trusted-types", "script-src"), security_severity=3.0)
def worker_script_url(ctx: Context) -> Iterator[Hit]:
    """A worker, service worker or `importScripts` URL Chrome will not load.

    ## What it checks
    The first argument of `new Worker`, `new SharedWorker`,
    `navigator.serviceWorker.register` and `importScripts`:
    - a remote, `blob:` or `data:` URL: blocked (`script-src 'self'` is the
      fallback for workers);
    - a plain string or `new URL(...)`, even same-origin: Chromium requires a
      `TrustedScriptURL` here (Trusted Types) and blocks it, unless the app
      creates a `default` Trusted Types policy;
    - a value made by `policy.createScriptURL(...)`: allowed.

    ## Why it matters
    The worker never starts. Libraries that build workers from blobs, and
    service-worker registration in PWA plugins, break this way.

    ## Example
    ```js
    const worker = new Worker(URL.createObjectURL(new Blob([code])));
    navigator.serviceWorker.register("/sw.js");
    ```

    ## Fix
    Ship the worker as a bundled file and pass a TrustedScriptURL:
    `const p = trustedTypes.createPolicy("app", {createScriptURL: (u) => u});
    new Worker(p.createScriptURL("/worker.js"))`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    has_default = default_policy(ctx)
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, WORKER_QUERY):
            arg, api = captures["arg"][0], tree.text(captures["api"][0])
            label = {"register": "serviceWorker.register", "importScripts": "importScripts"}.get(api, f"new {api}")
            text, _ = literal_text(tree, arg)
            kind = kind_of(ctx, text, tree.resource.path) if text is not None else None
            if arg.type == "call_expression" and "createObjectURL" in tree.text(arg.child_by_field_name("function") or arg):
                yield Hit(f"`{label}` with a `blob:` URL is blocked (`script-src 'self'`)", tree.location(ctx, captures["use"][0]))
            elif kind in OFF_BUNDLE:
                yield Hit(f"`{label}` of {remote_reason(kind)} is blocked (`script-src 'self'`)", tree.location(ctx, captures["use"][0]))
            elif not has_default and (text is not None or arg.type == "new_expression"):
                yield Hit(
                    f"`{label}` with a plain string is blocked by Trusted Types: it needs a TrustedScriptURL",
                    tree.location(ctx, captures["use"][0]),
                    help="pass policy.createScriptURL(url) from a trustedTypes policy",
                )


@rule(id="SCR010", name="insecure-connection", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.JS, tags=("csp", "connect-src", "mixed-content"), security_severity=5.0)
def insecure_connection(ctx: Context) -> Iterator[Hit]:
    """`fetch`, XHR, `EventSource` or `sendBeacon` to `http:`, or a `WebSocket` to `ws:`.

    ## What it checks
    URL arguments written as literals (or templates whose literal start fixes
    the scheme) of `fetch`, `XMLHttpRequest.open`, `new EventSource`,
    `navigator.sendBeacon` and `new WebSocket`.

    ## Why it matters
    IWA: `connect-src 'self' https: wss: blob: data:` blocks cleartext, so the
    request fails. Capacitor: cleartext traffic can be read and changed by
    anyone on the network.

    ## Example
    ```js
    const socket = new WebSocket("ws://chat.example.com/live");
    ```

    ## Fix
    `wss://` and `https://`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, CONNECTION_QUERY):
            api = tree.text(captures["api"][0])
            if api == "open" and tree.text(captures["method"][0])[1:-1].upper() not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
                continue
            text, exact = literal_text(tree, captures["arg"][0])
            scheme = (text or "").split(":", 1)[0].lower() if ":" in (text or "") else ""
            insecure = scheme == "http" or (api == "WebSocket" and scheme == "ws")
            if insecure:
                label = "XMLHttpRequest.open" if api == "open" else api
                yield Hit(
                    f"`{label}` to `{scheme}:` is blocked by `connect-src` (cleartext): `{text[:100]}`",
                    tree.location(ctx, captures["use"][0]),
                    help="use https: / wss:",
                    precision=None if exact else Precision.MEDIUM,
                )


HTML_SINK_WORDS = (b"innerHTML", b"outerHTML", b"srcdoc", b"insertAdjacentHTML", b"write", b"parseFromString", b"createContextualFragment", b"HTMLUnsafe")
HTML_SINK_QUERY = register_query("""
(assignment_expression left: (member_expression property: (property_identifier) @sink) right: (_) @value
  (#any-of? @sink "innerHTML" "outerHTML" "srcdoc")) @use
(augmented_assignment_expression left: (member_expression property: (property_identifier) @sink) right: (_) @value
  (#any-of? @sink "innerHTML" "outerHTML" "srcdoc")) @use
(call_expression function: (member_expression object: (_) @object property: (property_identifier) @sink)
  arguments: (arguments) @args
  (#any-of? @sink "insertAdjacentHTML" "write" "writeln" "parseFromString" "createContextualFragment" "setHTMLUnsafe" "parseHTMLUnsafe")) @use
""", HTML_SINK_WORDS)
@rule(id="SCR013", name="trusted-types-sink", level=Level.ERROR, needs=Need.JS, tags=("trusted-types",), security_severity=4.0)
def trusted_types_sink(ctx: Context) -> Iterator[Hit]:
    """A plain string given to an HTML sink (`innerHTML`, `insertAdjacentHTML`, ...): Trusted Types blocks it.

    ## What it checks
    Assignments to `innerHTML`, `outerHTML`, `srcdoc`, and calls of
    `insertAdjacentHTML`, `document.write`/`writeln`, `parseFromString`,
    `createContextualFragment`, `setHTMLUnsafe`, `parseHTMLUnsafe`, when the
    value is not made by a Trusted Types policy (`policy.createHTML(...)`);
    and `src`, `text`, `textContent` or `innerText` set on a variable made by
    `document.createElement("script")` (TrustedScriptURL / TrustedScript).
    Literal strings are certain; computed values are reported with lower
    precision (they may hold TrustedHTML). Nothing is reported when the app
    creates a `default` policy, which converts plain strings.

    ## Why it matters
    Chrome's IWA policy has `require-trusted-types-for 'script'`: every one of
    these throws a TypeError, even `el.innerHTML = ""`. Vite starters and many
    UI libraries break here.

    ## Example
    ```js
    list.innerHTML = "<li>" + name + "</li>";
    ```

    ## Fix
    Build DOM nodes (`textContent`, `append`), or sanitise through a policy:
    `const p = trustedTypes.createPolicy("app", {createHTML: (s) => DOMPurify.sanitize(s)});
    list.innerHTML = p.createHTML(markup)`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    if default_policy(ctx):
        return
    for tree in checked_scripts(ctx):
        yield from script_element_sinks(ctx, tree)
        trusted_names = policy_results(tree)
        for _, captures in query_matches(tree, HTML_SINK_QUERY):
            sink = tree.text(captures["sink"][0])
            if "value" in captures:
                value = captures["value"][0]
            else:
                if sink in ("write", "writeln") and not tree.text(captures["object"][0]).endswith("document"):
                    continue
                args = captures["args"][0].named_children
                position = 1 if sink == "insertAdjacentHTML" else 0
                if len(args) <= position:
                    continue
                value = args[position]
            if policy_made(tree, value) or (value.type == "identifier" and tree.text(value) in trusted_names):
                continue
            certain = is_stringy(value)
            what = "a string" if certain else "a value that is not TrustedHTML (unless it was made by a policy elsewhere)"
            yield Hit(
                f"`{sink}` is given {what}: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
                tree.location(ctx, captures["use"][0]),
                help="use textContent/DOM APIs, or policy.createHTML(...)",
                precision=None if certain else Precision.LOW,
            )


def script_element_sinks(ctx: Context, tree: JsTree) -> Iterator[Hit]:
    """`src`/`text`/`textContent`/`innerText` set on a variable made by `createElement("script")`."""
    found = query_matches(tree, SCRIPT_ELEMENT_QUERY)
    elements = {tree.text(c["element"][0]) for _, c in found if "element" in c}
    for _, captures in found:
        if "use" not in captures or tree.text(captures["object"][0]) not in elements:
            continue
        value, sink = captures["value"][0], tree.text(captures["sink"][0])
        if policy_made(tree, value):
            continue
        wanted = "TrustedScriptURL" if sink == "src" else "TrustedScript"
        yield Hit(
            f"script element `{sink}` is given a plain value: blocked by Trusted Types (it needs a {wanted})",
            tree.location(ctx, captures["use"][0]),
            precision=None if is_stringy(value) else Precision.LOW,
        )


def policy_results(tree: JsTree) -> frozenset[str]:
    """Names bound directly to a policy's output: `const html = policy.createHTML(s)`."""
    return frozenset(tree.text(c["name"][0]) for _, c in query_matches(tree, POLICY_RESULT_QUERY))


RULES = (
    inline_script,
    inline_event_handler,
    javascript_url,
    eval_like,
    remote_script,
    worker_script_url,
    remote_stylesheet,
    remote_font,
    insecure_media_or_frame,
    insecure_connection,
    object_or_embed,
    base_element,
    trusted_types_sink,
    cross_origin_embed_needs_corp,
)
