"""The classes of issue 15, each with a page Chromium blocks (hit) and its allowed neighbour (near miss).

Behaviour follows Chromium under the IWA headers (iwa-policy §9 and §9.1); where the
HTML standard decides (script types, <meta> placement) the standard's algorithm is cited.
"""

from __future__ import annotations

from helpers import audit, position
from test_content import hits, page

from auditor.engine.findings import Precision

SCRIPT_BLOCKED = "is blocked by `script-src 'self'`"


def findings(app, select, **kwargs):
    return [f for f in audit(page(app, **kwargs), select).findings if not f.suppressed]


# --- documents inside documents -------------------------------------------------------------------


def test_scr001_flags_entity_encoded_script_in_srcdoc_at_its_place_in_the_outer_file(app):
    html = '<p>x</p>\n<iframe srcdoc="&lt;p&gt;hi&lt;/p&gt;&lt;script&gt;go()&lt;/script&gt;"></iframe>'
    assert hits(app, "SCR001", html=html) == [
        f"SCR001 error /index.html:{position(html, '&lt;script')} inline classic `<script>` in an `<iframe srcdoc>` document {SCRIPT_BLOCKED}"
    ]


def test_scr002_flags_handler_in_data_url_frame_at_its_place_in_the_outer_file(app):
    html = '<iframe src="data:text/html,<b>x</b><img src=a onerror=go()>"></iframe>'
    assert hits(app, "SCR002", html=html) == [
        f"SCR002 error /index.html:{position(html, 'onerror')} inline event handler `onerror` on `<img>` {SCRIPT_BLOCKED}"
    ]


def test_scr001_allows_srcdoc_and_data_frames_without_script(app):
    html = '<iframe srcdoc="&lt;p&gt;&amp;lt;script&amp;gt; is only text&lt;/p&gt;"></iframe><iframe src="data:image/svg+xml,<svg></svg>"></iframe>'
    assert hits(app, "SCR001,SCR002", html=html) == []


def test_scr001_flags_base64_data_frame_script_at_the_attribute(app):
    import base64

    markup = base64.b64encode(b"<script>go()</script>").decode()
    html = f'<iframe src="data:text/html;base64,{markup}"></iframe>'
    assert hits(app, "SCR001", html=html) == [
        f"SCR001 error /index.html:{position(html, 'data:')} inline classic `<script>` in an `<iframe data>` document {SCRIPT_BLOCKED}"
    ]


# --- script types that never run ------------------------------------------------------------------


def test_scr001_flags_language_javascript_and_whitespace_only_script(app):
    html = '<script language="javascript">go()</script>\n<script> </script>'
    assert hits(app, "SCR001", html=html) == [
        f"SCR001 error /index.html:{position(html, '<script language')} inline classic `<script>` {SCRIPT_BLOCKED}",
        f"SCR001 error /index.html:{position(html, '<script> ')} inline classic `<script>` {SCRIPT_BLOCKED}",
    ]


def test_scr001_allows_nomodule_mime_parameters_vbscript_and_data_blocks(app):
    html = (
        "<script nomodule>legacy()</script>"
        '<script type="text/javascript; charset=utf-8">x()</script>'
        '<script language="vbscript">MsgBox 1</script>'
        '<script type="text/x-template"><p>{{a}}</p></script>'
        "<script></script>"
    )
    assert hits(app, "SCR001", html=html) == []


def test_scr005_allows_remote_src_of_scripts_that_never_run(app):
    html = '<script nomodule src="https://cdn.example/legacy.js"></script><script type="text/plain" src="https://cdn.example/x"></script>'
    assert hits(app, "SCR005", html=html) == []


# --- event handlers from the HTML and SVG specs ---------------------------------------------------


def test_scr002_flags_svg_animation_and_new_handlers(app):
    html = '<svg><animate onbegin="go()" onend="x()"/></svg><button oncommand="c()">b</button><div oncontentvisibilityautostatechange="v()"></div>'
    assert [line.split(" ")[2] for line in hits(app, "SCR002", html=html)] == [
        f"/index.html:{position(html, n)}" for n in ("onbegin", "onend", "oncommand", "oncontentvisibilityautostatechange")
    ]


def test_scr002_allows_lookalike_attributes(app):
    html = '<svg><animate onbeginx="go()" on="x" data-onend="y"/></svg><x-el onfoo="z"></x-el>'
    assert hits(app, "SCR002", html=html) == []


# --- Trusted Types flow ---------------------------------------------------------------------------


def test_scr013_flags_set_attribute_srcdoc_and_script_src_and_sink_aliases(app):
    js = (
        "const s = document.createElement('SCRIPT');\ns.setAttribute('src', '/late.js');\n"
        "frame.setAttribute('srcdoc', '<p>x</p>');\n"
        "const w = document.write.bind(document);\nw('<p>hi</p>');\n"
        "const ins = el.insertAdjacentHTML;\nins.call(el, 'beforeend', '<b>x</b>');"
    )
    assert hits(app, "SCR013", js=js) == [
        f"SCR013 error /app.js:{position(js, 's.setAttribute')} `script.setAttribute(\"src\")` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR013 error /app.js:{position(js, 'frame.setAttribute')} `setAttribute(\"srcdoc\")` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR013 error /app.js:{position(js, 'w(')} `write (through an alias)` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
        f"SCR013 error /app.js:{position(js, 'ins.call')} `insertAdjacentHTML (through an alias)` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
    ]


def test_scr013_allows_set_attribute_of_plain_attributes_and_unrelated_binds(app):
    js = "img.setAttribute('src', '/a.png'); el.setAttribute('title', '<b>'); const log = console.log.bind(console); log('<p>');"
    assert hits(app, "SCR013", js=js) == []


def test_scr013_flags_sink_that_runs_before_the_default_policy(app):
    js = "el.innerHTML = '<b>early</b>';\ntrustedTypes.createPolicy('default', {createHTML: (s) => s});\nel.innerHTML = '<b>late</b>';"
    assert hits(app, "SCR013", js=js) == [
        f"SCR013 error /app.js:{position(js, 'el.innerHTML')} `innerHTML` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`) (it runs before the `default` policy created at line 2)"
    ]


def test_scr013_allows_sink_inside_a_function_defined_before_the_default_policy(app):
    js = "function render(el) { el.innerHTML = '<b>x</b>'; }\ntrustedTypes.createPolicy('default', {createHTML: (s) => s});\nrender(document.body);"
    assert hits(app, "SCR013", js=js) == []


def test_scr013_flags_string_sink_in_another_script_than_the_default_policy_as_a_note(app):
    js = "el.innerHTML = '<b>x</b>';"
    found = findings(app, "SCR013", js=js, **{"tt.js": "trustedTypes.createPolicy('default', {createHTML: (s) => s});"})
    assert [(f.rule_id, f.level.label, f.precision) for f in found] == [("SCR013", "note", Precision.LOW)]
    assert "unless the `default` policy in /tt.js is created first" in found[0].message


def test_scr013_allows_parameter_every_caller_fills_from_a_policy(app):
    # Lit's shape: a helper receives TrustedHTML from the module's own policy
    js = (
        "const p = trustedTypes.createPolicy('lit-html', {createHTML: (s) => s});\n"
        "function put(el, html) { el.innerHTML = html; }\n"
        "put(a, p.createHTML(x)); put(b, p ? p.createHTML(y) : y);\n"
        "const t = document.createElement('template'); const h = p.createHTML(z); t.innerHTML = h;"
    )
    assert hits(app, "SCR013", js=js) == []


def test_scr013_flags_undecidable_parameter_as_a_low_precision_note(app):
    js = "const p = trustedTypes.createPolicy('a', {createHTML: (s) => s});\nfunction put(el, html) { el.innerHTML = html; }\nput(a, p.createHTML(x)); put(b, userText);"
    found = findings(app, "SCR013", js=js)
    assert [(f.rule_id, f.level.label, f.precision) for f in found] == [("SCR013", "note", Precision.LOW)]
    assert found[0].message.startswith("`innerHTML` is given a computed value")


# --- code from strings ----------------------------------------------------------------------------


def test_scr004_flags_indirect_eval_global_eval_prototype_constructor_and_string_variable_timer(app):
    js = "(0, eval)('x');\n(0, window.eval)(s);\nglobalThis.eval(s);\nFunction.prototype.constructor('return 1');\nconst code = 'tick()';\nsetTimeout(code, 5);"
    assert [line.split(" ")[2] for line in hits(app, "SCR004", js=js)] == [
        f"/app.js:{position(js, n)}" for n in ("(0, eval)", "(0, window.eval)", "globalThis.eval", "Function.prototype", "setTimeout")
    ]


def test_scr004_allows_non_global_eval_methods_and_function_variable_timers(app):
    js = "db.eval(query); (0, run)('x'); const tick = () => 1; setTimeout(tick, 5); Function.prototype.call(x);"
    assert hits(app, "SCR004", js=js) == []


def test_scr004_flags_feature_checked_eval_with_low_precision_and_says_why(app):
    js = "let ok;\ntry { ok = new Function('return 1')(); } catch (e) { ok = 1; }\nif (typeof eval === 'function') { eval('1'); }"
    found = findings(app, "SCR004", js=js)
    assert [(f.level.label, f.precision) for f in found] == [("error", Precision.LOW), ("error", Precision.LOW)]
    assert "inside `try {}` with a fallback" in found[0].message and "behind a `typeof` feature check" in found[1].message


def test_scr004_allows_unguarded_eval_at_full_precision(app):
    found = findings(app, "SCR004", js="eval('1');")
    assert [f.precision for f in found] != [Precision.LOW]


# --- script and worker URLs -----------------------------------------------------------------------


def test_scr006_flags_policy_wrapped_blob_and_data_and_missing_worker_file(app):
    js = (
        "const p = trustedTypes.createPolicy('w', {createScriptURL: (u) => u});\n"
        "new Worker(p.createScriptURL(URL.createObjectURL(blob)));\n"
        "new Worker(p.createScriptURL('data:text/javascript,1'));\n"
        "new Worker(p.createScriptURL('https://cdn.example/w.js'));\n"
        "new Worker(p.createScriptURL('/missing-worker.js'));"
    )
    assert hits(app, "SCR006", js=js) == [
        f"SCR006 error /app.js:{position(js, 'new Worker')} `new Worker` of a TrustedScriptURL of a `blob:` URL is blocked (`script-src 'self'` is the workers' fallback)",
        f"SCR006 error /app.js:{position(js, 'new Worker', 2)} `new Worker` of a TrustedScriptURL of a `data:` URL is blocked (`script-src 'self'` is the workers' fallback)",
        f"SCR006 error /app.js:{position(js, 'new Worker', 3)} `new Worker` of a remote URL throws `SecurityError` (a worker must be same-origin): `https://cdn.example/w.js`",
        f"SCR006 error /app.js:{position(js, 'new Worker', 4)} `new Worker` loads `/missing-worker.js`, which the app does not contain: the worker never starts",
    ]


def test_scr006_allows_bundled_worker_from_new_url_with_import_meta(app):
    js = "const p = trustedTypes.createPolicy('w', {createScriptURL: (u) => u});\nnew Worker(p.createScriptURL(new URL('./w.js', import.meta.url)));"
    assert hits(app, "SCR006", js=js, **{"w.js": "onmessage = null;"}) == []


def test_scr006_flags_import_scripts_of_policy_made_remote_url(app):
    js = "const p = trustedTypes.createPolicy('w', {createScriptURL: (u) => u});\nimportScripts(p.createScriptURL('https://cdn.example/lib.js'));"
    assert hits(app, "SCR006", js=js) == [
        f"SCR006 error /app.js:{position(js, 'importScripts(')} `importScripts` of a remote URL is blocked (`script-src 'self'`): `https://cdn.example/lib.js`"
    ]


def test_scr005_flags_svg_script_href(app):
    html = '<svg><script href="https://cdn.example/a.js"></script><script xlink:href="//cdn.example/b.js"></script></svg>'
    assert hits(app, "SCR005", html=html) == [
        f"SCR005 error /index.html:{position(html, 'href=')} `<script href>` loads script from a remote URL: `https://cdn.example/a.js`",
        f"SCR005 error /index.html:{position(html, 'xlink:href=')} `<script xlink:href>` loads script from a remote URL: `//cdn.example/b.js`",
    ]


def test_scr005_allows_svg_script_href_into_the_bundle(app):
    assert hits(app, "SCR005,SCR001", html='<svg><script href="/svg-helper.js"></script></svg>') == []


def test_scr007_flags_style_preload_and_css_module_import(app):
    html = '<link rel="preload" as="style" href="https://cdn.example/s.css">'
    js = 'import sheet from "https://cdn.example/t.css" with { type: "css" };'
    assert hits(app, "SCR007", html=html, js=js) == [
        f"SCR007 error /app.js:{position(js, 'import')} CSS module import of a remote URL is blocked by `style-src 'self'`: `https://cdn.example/t.css`",
        f"SCR007 error /index.html:{position(html, 'href=')} style preload from a remote URL is blocked by `style-src 'self'`: `https://cdn.example/s.css`",
    ]
    assert hits(app, "SCR005", html=html, js=js) == []  # a style load, not a script load


def test_scr007_allows_import_after_other_rules_which_css_drops(app):
    css = "body { margin: 0 }\n@import url(https://cdn.example/late.css);"
    assert hits(app, "SCR007", css=css) == []


def test_scr008_flags_font_face_inside_media_and_supports(app):
    css = "@media (min-width: 1px) { @supports (display: grid) { @font-face { font-family: A; src: url(https://fonts.example/a.woff2); } } }"
    assert hits(app, "SCR008", css=css) == [
        f"SCR008 error /style.css:{position(css, 'url(')} font from a remote URL is blocked by `font-src`: `https://fonts.example/a.woff2`"
    ]


def test_scr008_allows_bundled_font_face_inside_media(app):
    assert hits(app, "SCR008", css="@media print { @font-face { font-family: A; src: url(/a.woff2); } }") == []


# --- network and navigation -----------------------------------------------------------------------


def test_scr010_flags_fetch_of_an_http_request_object(app):
    js = "fetch(new Request('http://api.example/x', {method: 'POST'}));"
    assert hits(app, "SCR010", js=js) == [
        "SCR010 error /app.js:1:1 `fetch` to `http:` is blocked by `connect-src` (cleartext): `http://api.example/x`"
    ]


def test_scr010_allows_fetch_of_an_https_request_object(app):
    assert hits(app, "SCR010", js="fetch(new Request('https://api.example/x'));") == []


def test_scr003_flags_location_assign_and_meta_refresh_to_javascript(app):
    html = '<head><meta http-equiv="refresh" content="0; url=javascript:go()"></head>'
    js = "window.location.assign('javascript:go()');"
    assert hits(app, "SCR003", html=html, js=js) == [
        "SCR003 error /app.js:1:1 script navigates to a `javascript:` URL, blocked by `script-src 'self'`",
        f"SCR003 error /index.html:{position(html, 'content=')} `<meta http-equiv=refresh>` to a `javascript:` URL is refused",
    ]


def test_scr003_allows_meta_refresh_to_a_page(app):
    assert hits(app, "SCR003", html='<meta http-equiv="refresh" content="5; url=/next.html">') == []


def test_scr015_flags_what_a_head_meta_csp_blocks_at_the_construct(app):
    html = (
        "<head><meta http-equiv=\"Content-Security-Policy\" content=\"img-src 'self'; style-src 'self'\">\n<style>p{}</style></head>\n"
        '<body><img crossorigin src="https://images.example/a.png"><p style="color:red">x</p></body>'
    )
    assert hits(app, "SCR015", html=html) == [
        f"SCR015 error /index.html:{position(html, '<style>')} the page's `<meta>` CSP blocks inline `<style>` (`style-src` lacks 'unsafe-inline')",
        f"SCR015 error /index.html:{position(html, 'src=')} the page's `<meta>` CSP blocks `<img src=\"https://images.example/a.png\">` (`img-src` lacks https://images.example)",
        f"SCR015 error /index.html:{position(html, 'style=')} the page's `<meta>` CSP blocks `style=` on `<p>` (`style-src` lacks 'unsafe-inline')",
    ]


def test_scr015_allows_meta_csp_in_body_and_what_the_policy_permits(app):
    html = (
        "<head><meta http-equiv=\"Content-Security-Policy\" content=\"img-src 'self' https:\"></head>"
        "<body><img crossorigin src=\"https://images.example/a.png\"><img src=\"/local.png\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"style-src 'none'\"><p style=\"color:red\">x</p></body>"
    )
    assert hits(app, "SCR015", html=html) == []


# --- long values are quoted short -----------------------------------------------------------------


def test_messages_quote_at_most_120_characters_of_a_value(app):
    url = "data:text/javascript," + "x" * 12000
    lines = hits(app, "SCR005", html=f'<script src="{url}"></script>')
    assert len(lines) == 1 and len(lines[0]) < 300 and lines[0].endswith("…`")
