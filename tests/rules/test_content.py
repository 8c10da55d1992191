"""SCR rules: each construct Chrome's IWA policy blocks, at its line and column, beside its allowed neighbour."""

from __future__ import annotations

from helpers import audit_lines, position
from test_manifest import GOOD, manifest_app

MODULE_TAG = '<script type="module"'
IMPORTMAP_TAG = '<script type="importmap"'
QUOTED_CDN = '"https://cdn'


def page(app, html: str = "<p>ok</p>", js: str | None = None, css: str | None = None, **files):
    extra = dict(files)
    if js is not None:
        extra["app.js"] = js
    if css is not None:
        extra["style.css"] = css
    path, _ = manifest_app(app, GOOD, **{"index.html": html, **extra})
    return path


def hits(app, select, **kwargs):
    return audit_lines(page(app, **kwargs), select)


# SCR001 inline script
def test_scr001_flags_inline_classic_module_and_importmap(app):
    html = '<!doctype html>\n<script>go()</script>\n  <script type="module">import "/a.js"</script><script type="importmap">{}</script>'
    assert hits(app, "SCR001", html=html) == [
        f"SCR001 error /index.html:{position(html, '<script>')} inline classic `<script>` is blocked by `script-src 'self'`",
        f"SCR001 error /index.html:{position(html, MODULE_TAG)} inline module `<script>` is blocked by `script-src 'self'`",
        f"SCR001 error /index.html:{position(html, IMPORTMAP_TAG)} inline importmap `<script>` is blocked by `script-src 'self'`",
    ]


def test_scr001_allows_data_blocks_and_bundled_scripts(app):
    html = '<script type="application/json">{"a": 1}</script><script type="application/ld+json">{}</script><script src="/app.js"></script><script></script>'
    assert hits(app, "SCR001", html=html, js="1") == []


# SCR002 inline event handlers
def test_scr002_flags_attribute_and_set_attribute(app):
    html = '<p>\n  <button class="b" onclick="save()">Save</button>'
    js = "const b = document.querySelector('b');\nb.setAttribute('onmouseover', 'x()');"
    assert hits(app, "SCR002", html=html, js=js) == [
        f"SCR002 error /app.js:{position(js, 'b.setAttribute')} `setAttribute(\"onmouseover\", …)` creates an inline event handler, blocked by `script-src 'self'`",
        f"SCR002 error /index.html:{position(html, 'onclick')} inline event handler `onclick` on `<button>` is blocked by `script-src 'self'`",
    ]


def test_scr002_allows_add_event_listener_and_other_attributes(app):
    js = "b.addEventListener('click', save); b.setAttribute('one-way', 'x'); b.setAttribute('title', 'on')"
    assert hits(app, "SCR002", html='<button data-onclick="x" one="1">x</button>', js=js) == []


# SCR003 javascript: URLs
def test_scr003_flags_link_and_location_assignment(app):
    html = '<nav><a href=" JavaScript:void(0)">menu</a></nav>'
    js = "location.href = 'javascript:alert(1)';"
    assert hits(app, "SCR003", html=html, js=js) == [
        f"SCR003 error /app.js:{position(js, 'location.href')} script navigates to a `javascript:` URL, blocked by `script-src 'self'`",
        f"SCR003 error /index.html:{position(html, 'href')} `javascript:` URL in `<a href>` is blocked by `script-src 'self'`",
    ]


def test_scr003_allows_sanitiser_comparing_with_javascript_scheme(app):
    js = "if (url.startsWith('javascript:')) { url = url.replace('javascript:', '') }"
    assert hits(app, "SCR003", html='<a href="/javascript.html">js</a>', js=js) == []


# SCR004 eval-like
def test_scr004_flags_eval_function_and_string_timer(app):
    js = "const v = eval(code);\nconst f = new Function('a', 'return a');\nsetTimeout('tick()' + n, 5);"
    assert hits(app, "SCR004", js=js) == [
        f"SCR004 error /app.js:{position(js, 'eval(')} `eval` compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR004 error /app.js:{position(js, 'new Function')} `Function` constructor compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR004 error /app.js:{position(js, 'setTimeout')} `setTimeout` with a string compiles it into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
    ]


def test_scr004_allows_function_timers_and_webassembly(app):
    js = "setTimeout(() => tick(), 5); setInterval(tick, 10); WebAssembly.instantiateStreaming(fetch('/a.wasm')); obj.evaluate('x');"
    assert hits(app, "SCR004", js=js) == []


# SCR005 remote script
def test_scr005_flags_cdn_script_preload_and_imports(app):
    html = '<script src="https://cdn.example.com/lib.js"></script>\n<link rel="modulepreload" href="//esm.example/m.js">'
    js = 'import { html } from "https://esm.sh/lit";\nconst m = await import("data:text/javascript,export default 1");'
    assert hits(app, "SCR005", html=html, js=js) == [
        f"SCR005 error /app.js:{position(js, 'import {')} `import` of a remote URL: `https://esm.sh/lit`",
        f"SCR005 error /app.js:{position(js, 'import(')} `import` of a `data:` URL: `data:text/javascript,export default 1`",
        f"SCR005 error /index.html:{position(html, 'src=')} `<script src>` loads script from a remote URL: `https://cdn.example.com/lib.js`",
        f"SCR005 error /index.html:{position(html, 'href=')} `<link href>` loads script from a remote URL: `//esm.example/m.js`",
    ]


def test_scr005_allows_bundled_modules_and_bare_specifiers(app):
    html = '<script type="module" src="/app.js"></script><link rel="preload" as="style" href="https://cdn.example/s.css">'
    js = 'import a from "./a.js"; import lit from "lit"; export * from "/b.js"; import("./c.js");'
    assert hits(app, "SCR005", html=html, js=js) == []


# SCR006 worker URLs
def test_scr006_flags_blob_remote_and_plain_string_workers(app):
    js = "const a = new Worker(URL.createObjectURL(blob));\nconst b = new SharedWorker('https://cdn.example/w.js');\nnavigator.serviceWorker.register('/sw.js');"
    assert hits(app, "SCR006", js=js, **{"sw.js": "self.onfetch = null;"}) == [
        f"SCR006 error /app.js:{position(js, 'new Worker')} `new Worker` of a `blob:` URL is blocked (`script-src 'self'` is the workers' fallback)",
        f"SCR006 error /app.js:{position(js, 'new SharedWorker')} `new SharedWorker` of a remote URL throws `SecurityError` (a worker must be same-origin): `https://cdn.example/w.js`",
        f"SCR006 error /app.js:{position(js, 'navigator.serviceWorker')} `serviceWorker.register` with a plain string is blocked by Trusted Types: it needs a TrustedScriptURL",
    ]


def test_scr006_allows_policy_made_script_url(app):
    js = "const p = trustedTypes.createPolicy('app', {createScriptURL: (u) => u});\nnew Worker(p.createScriptURL('/worker.js'));"
    assert hits(app, "SCR006", js=js, **{"worker.js": "onmessage = null;"}) == []


def test_scr006_allows_plain_same_origin_string_with_default_policy(app):
    js = "trustedTypes.createPolicy('default', {createScriptURL: (u) => u});\nnew Worker('/worker.js');"
    assert hits(app, "SCR006", js=js, **{"worker.js": "onmessage = null;"}) == []


# SCR007 remote stylesheets
def test_scr007_flags_link_and_import_in_style_block_and_file(app):
    html = '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">\n<style>\n  @import "https://cdn.example/t.css";\n</style>'
    css = "@charset \"utf-8\";\n@import url(//cdn.example/u.css);\nbody { margin: 0 }"
    assert hits(app, "SCR007", html=html, css=css) == [
        f"SCR007 error /index.html:{position(html, 'href')} stylesheet from a remote URL is blocked by `style-src 'self'`: `https://fonts.googleapis.com/css2?family=Inter`",
        f"SCR007 error /index.html:{position(html, QUOTED_CDN)} `@import` of a remote URL is blocked by `style-src 'self'`: `https://cdn.example/t.css`",
        f"SCR007 error /style.css:{position(css, 'url(')} `@import` of a remote URL is blocked by `style-src 'self'`: `//cdn.example/u.css`",
    ]


def test_scr007_allows_inline_styles_and_bundled_sheets(app):
    html = '<link rel="stylesheet" href="/style.css"><style>p { color: red }</style><p style="color: blue">x</p>'
    assert hits(app, "SCR007", html=html, css='@import "./base.css";') == []


# SCR008 remote fonts
def test_scr008_flags_remote_font_face_source(app):
    css = "@font-face {\n  font-family: Inter;\n  src: local(Inter), url(https://fonts.gstatic.com/inter.woff2) format('woff2');\n}"
    assert hits(app, "SCR008", css=css) == [
        f"SCR008 error /style.css:{position(css, 'url(')} font from a remote URL is blocked by `font-src`: `https://fonts.gstatic.com/inter.woff2`"
    ]


def test_scr008_allows_bundled_and_data_fonts(app):
    css = "@font-face { font-family: A; src: url(/fonts/a.woff2), url('data:font/woff2;base64,AAAA'); }"
    assert hits(app, "SCR008", css=css) == []


def test_scr007_scr008_read_at_rules_written_in_capitals_or_with_escapes(app):
    """An at-keyword is ASCII case-insensitive and its name may be escaped: each sheet is still parsed and read."""
    css = "@IMPORT url(https://cdn.example/a.css);"
    html = "<style>@font-f\\61 ce { src: url(https://fonts.example/b.woff2) }</style>"
    assert hits(app, "SCR007,SCR008", css=css, html=html) == [
        f"SCR008 error /index.html:{position(html, 'url(')} font from a remote URL is blocked by `font-src`: `https://fonts.example/b.woff2`",
        f"SCR007 error /style.css:{position(css, 'url(')} `@import` of a remote URL is blocked by `style-src 'self'`: `https://cdn.example/a.css`",
    ]


# SCR009 http: media and frames
def test_scr009_flags_http_video_iframe_and_warns_img(app):
    html = '<video src="http://media.example/a.mp4"></video>\n<iframe src="http://e.example/"></iframe>\n<img src="http://i.example/a.png">'
    assert hits(app, "SCR009", html=html) == [
        f"SCR009 error /index.html:{position(html, 'src=')} `http:` `<video>` source is blocked by `media-src`: `http://media.example/a.mp4`",
        f"SCR009 error /index.html:{position(html, 'src=', 2)} `http:` `<iframe>` source is blocked by `frame-src`: `http://e.example/`",
        f"SCR009 warning /index.html:{position(html, 'src=', 3)} `<img src=\"http://i.example/a.png\">` is upgraded to https and then needs CORP from that server (COEP)",
    ]


def test_scr009_allows_https_media(app):
    assert hits(app, "SCR009", html='<video src="https://media.example/a.mp4" crossorigin></video><img src="/a.png">') == []


# SCR010 cleartext connections
def test_scr010_flags_fetch_xhr_and_websocket(app):
    js = "fetch(`http://${host}/api`);\nxhr.open('POST', 'http://api.example/x');\nconst ws = new WebSocket('ws://chat.example/');"
    assert hits(app, "SCR010", js=js) == [
        f"SCR010 error /app.js:{position(js, 'fetch')} `fetch` to `http:` is blocked by `connect-src` (cleartext): `http://`",
        f"SCR010 error /app.js:{position(js, 'xhr.open')} `XMLHttpRequest.open` to `http:` is blocked by `connect-src` (cleartext): `http://api.example/x`",
        f"SCR010 error /app.js:{position(js, 'new WebSocket')} `WebSocket` to `ws:` is blocked by `connect-src` (cleartext): `ws://chat.example/`",
    ]


def test_scr010_allows_https_wss_and_window_open(app):
    js = "fetch('https://api.example/x'); new WebSocket('wss://c.example/'); window.open('http://docs.example/', '_blank'); fetch(url);"
    assert hits(app, "SCR010", js=js) == []


# SCR011 object / embed
def test_scr011_flags_object_and_embed(app):
    html = '<main>\n<object data="/a.pdf"></object> <embed src="/b.swf">'
    assert hits(app, "SCR011", html=html) == [
        f"SCR011 error /index.html:{position(html, '<object')} `<object>` is blocked by `object-src 'none'`",
        f"SCR011 error /index.html:{position(html, '<embed')} `<embed>` is blocked by `object-src 'none'`",
    ]


def test_scr011_allows_iframe_for_documents(app):
    assert hits(app, "SCR011", html='<iframe src="/a.pdf"></iframe>') == []


# SCR012 base
def test_scr012_flags_same_origin_base_href(app):
    html = '<head>\n  <base href="/">\n</head>'
    assert hits(app, "SCR012", html=html) == [f"SCR012 error /index.html:{position(html, 'href')} `<base href>` is blocked by `base-uri 'none'`"]


def test_scr012_allows_base_target_only(app):
    assert hits(app, "SCR012", html='<base target="_blank">') == []


# SCR013 Trusted Types sinks
def test_scr013_flags_string_sinks_certain_and_computed(app):
    js = "list.innerHTML = '';\nel.insertAdjacentHTML('beforeend', '<b>' + name + '</b>');\ndocument.write(markup);"
    assert hits(app, "SCR013", js=js) == [
        f"SCR013 error /app.js:{position(js, 'list.innerHTML')} `innerHTML` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR013 error /app.js:{position(js, 'el.insertAdjacentHTML')} `insertAdjacentHTML` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR013 note /app.js:{position(js, 'document.write')} `write` is given a computed value: whether it is TrustedHTML cannot be told statically; a plain string is blocked by Trusted Types",
    ]


def test_scr013_allows_text_content_and_policy_made_html(app):
    js = (
        "const p = trustedTypes.createPolicy('app', {createHTML: (s) => s});\n"
        "el.textContent = name; el.innerHTML = p.createHTML(s); const h = p.createHTML(t); el.outerHTML = h; stream.write('x');"
    )
    assert hits(app, "SCR013", js=js) == []


def test_scr013_allows_strings_when_a_default_policy_exists(app):
    js = "trustedTypes.createPolicy('default', {createHTML: (s) => DOMPurify.sanitize(s)});\nel.innerHTML = '<b>x</b>';"
    assert hits(app, "SCR013", js=js) == []


# SCR014 COEP
def test_scr014_flags_cross_origin_img_and_iframe(app):
    html = '<img src="https://images.example/logo.png" alt="">\n<iframe src="https://maps.example/embed"></iframe>'
    assert hits(app, "SCR014", html=html) == [
        f"SCR014 warning /index.html:{position(html, 'src=')} cross-origin `<img>` without `crossorigin` loads only if `https://images.example/logo.png` sends `Cross-Origin-Resource-Policy: cross-origin`",
        f"SCR014 warning /index.html:{position(html, 'src=', 2)} cross-origin `<iframe>` without `credentialless` loads only if `https://maps.example/embed` sends COEP/CORP",
    ]


def test_scr014_allows_crossorigin_and_credentialless(app):
    html = '<img crossorigin src="https://images.example/logo.png"><iframe credentialless src="https://maps.example/"></iframe><img src="/local.png">'
    assert hits(app, "SCR014", html=html) == []


def test_positions_stay_right_on_minified_non_ascii_lines(app):
    js = "const ü='é';" * 300 + "el.innerHTML='x';"
    assert hits(app, "SCR013", js=js) == [
        "SCR013 error /app.js:1:3601 `innerHTML` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)"
    ]


def test_inline_script_contents_are_not_double_reported_in_an_iwa(app):
    html = "<script>eval('1')</script>"
    assert [finding.split(" ")[0] for finding in audit_lines(page(app, html=html), "SCR")] == ["SCR001"]


def test_scr013_flags_script_element_text_and_src(app):
    js = "const s = document.createElement('script');\ns.textContent = 'go()';\ns.src = '/late.js';\nother.src = '/img.png';"
    assert hits(app, "SCR013", js=js) == [
        f"SCR013 error /app.js:{position(js, 's.textContent')} `script.textContent` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR013 error /app.js:{position(js, 's.src')} `script.src` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
    ]


def test_scr005_notes_computed_dynamic_import(app):
    js = "const page = await import(routes[name]);\nconst ok = await import('./static.js');"
    assert hits(app, "SCR005", js=js) == [
        f"SCR005 note /app.js:{position(js, 'import(')} `import()` of a computed URL: whether it stays in the bundle cannot be told statically"
    ]
