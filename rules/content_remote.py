"""SCR rules on what a page loads from elsewhere: scripts, stylesheets, fonts, `http:` media, COEP.

Chrome's IWA CSP allows scripts, styles and fonts from the app only (`'self'`;
fonts also `blob:`/`data:`), images, media and frames from `https:`, and COEP
`require-corp` makes cross-origin loads depend on the remote server's headers.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.rules.content_common import JS_PROFILE, OFF_BUNDLE, checked_scripts, kind_of, quote, rel_tokens, remote_reason

from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.lazy import LazyPattern
from auditor.engine.registry import Need, rule
from auditor.parse.html import attribute_location, documents, runs_as_script, script_source
from auditor.parse.js import literal_text, query_matches, register_query

IMPORT_QUERY = register_query("""
    (import_statement source: (string) @url) @use
    (export_statement source: (string) @url) @use
    (call_expression function: (import) arguments: (arguments . (_) @url)) @use
    """, (b"import", b"export"))

CSS_MODULE = LazyPattern(r"""\btype\s*:\s*["']css["']""")


def css_module(tree, use) -> bool:
    """`import s from "x.css" with {type: "css"}` (or `import(url, {with: {type: "css"}})`)."""
    text = tree.text(use)
    return ("with" in text or "assert" in text) and CSS_MODULE.search(text) is not None


@rule(id="SCR005", per_resource=True, name="remote-script", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.HTML | Need.JS, tags=("csp", "script-src", "remote-code"), security_severity=8.0)
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
                source = script_source(tag)
                if source is None or not runs_as_script(tag):
                    continue  # inline, or a data block / nomodule script that is never fetched
                attribute = source[0]
            else:
                rel = rel_tokens(tag)
                if not ("modulepreload" in rel or ("preload" in rel and str(tag.get("as", "")).lower() == "script")):
                    continue
                attribute = "href"
            url = tag.get(attribute)
            if isinstance(url, str) and (kind := kind_of(ctx, url, document.resource.path)) != "self":
                yield Hit(f"`<{tag.name} {attribute}>` loads script from {remote_reason(kind)}: `{quote(url)}`", attribute_location(ctx, document, tag, attribute), help="bundle the script")
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, IMPORT_QUERY):
            if css_module(tree, captures["use"][0]):
                continue  # a CSS module script is a style load: SCR007
            text, exact = literal_text(tree, captures["url"][0])
            kind = kind_of(ctx, text, tree.resource.path) if text is not None else None
            if kind in OFF_BUNDLE:
                yield Hit(f"`import` of {remote_reason(kind)}: `{quote(text)}`", tree.location(ctx, captures["use"][0]), help="bundle the module")
            elif text is None or (not exact and text == ""):
                yield Hit(
                    "`import()` of a computed URL: whether it stays in the bundle cannot be told statically",
                    tree.location(ctx, captures["use"][0]),
                    level=Level.NOTE,
                    precision=Precision.LOW,
                )


@rule(id="SCR007", per_resource=True, name="remote-stylesheet", level=Level.ERROR, needs=Need.HTML | Need.CSS, tags=("csp", "style-src", "remote-code"), security_severity=3.0)
def remote_stylesheet(ctx: Context) -> Iterator[Hit]:
    """A stylesheet from outside the bundle (`<link rel="stylesheet">` or `@import`): blocked by `style-src`.

    ## What it checks
    `<link rel="stylesheet" href>`, `<link rel="preload" as="style">`, CSS
    module imports (`import s from "…" with {type: "css"}`, a style load, not a
    script one) and CSS `@import` (in stylesheets and `<style>` blocks) whose
    URL is not in the app. An `@import` after any other rule is not reported:
    the CSS parser drops it, so nothing loads.

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
            rel = rel_tokens(tag)
            url = tag.get("href")
            style = "stylesheet" in rel or ("preload" in rel and str(tag.get("as", "")).strip().lower() == "style")
            if style and isinstance(url, str) and (kind := kind_of(ctx, url, document.resource.path)) != "self":
                what = "stylesheet" if "stylesheet" in rel else "style preload"
                yield Hit(f"{what} from {remote_reason(kind)} is blocked by `style-src 'self'`: `{quote(url)}`", attribute_location(ctx, document, tag, "href"))
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, IMPORT_QUERY):
            if not css_module(tree, captures["use"][0]):
                continue
            text, _ = literal_text(tree, captures["url"][0])
            if text is not None and (kind := kind_of(ctx, text, tree.resource.path)) != "self":
                yield Hit(f"CSS module import of {remote_reason(kind)} is blocked by `style-src 'self'`: `{quote(text)}`", tree.location(ctx, captures["use"][0]))
    for found in imports(ctx):
        kind = kind_of(ctx, found.url, found.sheet.resource.path)
        if kind != "self":
            yield Hit(f"`@import` of {remote_reason(kind)} is blocked by `style-src 'self'`: `{quote(found.url)}`", found.sheet.location(ctx, found.node))


@rule(id="SCR008", per_resource=True, name="remote-font", level=Level.ERROR, needs=Need.HTML | Need.CSS, tags=("csp", "font-src"), security_severity=2.0)
def remote_font(ctx: Context) -> Iterator[Hit]:
    """A web font from outside the bundle: blocked by `font-src 'self' blob: data:`.

    ## What it checks
    `url()` sources in `@font-face` rules (at the top level or inside
    `@media`, `@supports`, `@layer`... blocks) and `<link rel="preload"
    as="font">` whose URL is neither in the app nor `blob:`/`data:`.

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
            yield Hit(f"font from {remote_reason(kind)} is blocked by `font-src`: `{quote(found.url)}`", found.sheet.location(ctx, found.node))
    for document in documents(ctx):
        for tag in document.elements("link"):
            rel = rel_tokens(tag)
            url = tag.get("href")
            if "preload" in rel and str(tag.get("as", "")).lower() == "font" and isinstance(url, str):
                kind = kind_of(ctx, url, document.resource.path)
                if kind not in ("self", "blob", "data"):
                    yield Hit(f"font preload from {remote_reason(kind)} is blocked by `font-src`: `{quote(url)}`", attribute_location(ctx, document, tag, "href"))


MEDIA_TAGS = ("video", "audio", "source", "track")


@rule(id="SCR009", per_resource=True, name="insecure-media-or-frame", level=Level.ERROR, needs=Need.HTML, tags=("csp", "mixed-content"), security_severity=4.0)
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
                yield Hit(f"`<img src=\"{quote(url)}\">` is upgraded to https and then needs CORP from that server (COEP)", location, level=Level.WARNING)
            else:
                directive = "frame-src" if tag.name == "iframe" else "media-src"
                yield Hit(f"`http:` `<{tag.name}>` source is blocked by `{directive}`: `{quote(url)}`", location, help="use https")


@rule(id="SCR014", per_resource=True, name="cross-origin-embed-needs-corp", level=Level.WARNING, needs=Need.HTML, tags=("coep",), precision=Precision.MEDIUM, security_severity=2.0)
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
                    yield Hit(f"cross-origin `<iframe>` without `credentialless` loads only if `{quote(url)}` sends COEP/CORP", attribute_location(ctx, document, tag, "src"))
            elif not tag.has_attr("crossorigin"):
                yield Hit(f"cross-origin `<{tag.name}>` without `crossorigin` loads only if `{quote(url)}` sends `Cross-Origin-Resource-Policy: cross-origin`", attribute_location(ctx, document, tag, "src"))




RULES = (remote_script, remote_stylesheet, remote_font, insecure_media_or_frame, cross_origin_embed_needs_corp)
