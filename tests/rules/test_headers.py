"""HDR rules: the bundle's own CSP/COOP/COEP/CORP against what Chrome adds, with near misses."""

from __future__ import annotations

import json

from builders import build_wbn, ed25519_key, sign, simple_app
from helpers import audit_lines, position
from test_manifest import GOOD, manifest_app

CHROME_CSP = (
    "base-uri 'none'; default-src 'self'; object-src 'none'; frame-src 'self' https: blob: data:; "
    "connect-src 'self' https: wss: blob: data:; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' https: blob: data:; "
    "media-src 'self' https: blob: data:; font-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; "
    "require-trusted-types-for 'script'; frame-ancestors 'self'"
)
PLUGIN_CSP = CHROME_CSP.replace("connect-src 'self' https: wss: blob: data:", "connect-src 'self' https: wss:")


def folder(app, headers: dict, html: str = "<p>ok</p>"):
    path, _ = manifest_app(app, GOOD, **{"index.html": html})
    file = path.parent / "headers.json"
    file.write_text(json.dumps(headers), encoding="utf-8")
    return path, {"headers_file": str(file)}


def test_hdr001_flags_plugin_default_connect_src(app):
    path, options = folder(app, {"Content-Security-Policy": PLUGIN_CSP})
    assert audit_lines(path, "HDR001", options=options) == [
        "HDR001 warning /index.html the bundle's CSP header (3 responses carry it) blocks what Chrome allows: "
        "`connect-src` lacks blob: data: (fetch() of blob: URLs fails, fetch() of data: URLs fails)"
    ]


def test_hdr001_flags_meta_csp_without_style_src(app):
    html = "<head>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">\n</head>"
    path, _ = manifest_app(app, GOOD, **{"index.html": html})
    [line] = audit_lines(path, "HDR001")
    assert line.startswith(
        f"HDR001 warning /index.html:{position(html, '<meta')} the `<meta>` CSP blocks what Chrome allows: "
        "`script-src` lacks 'wasm-unsafe-eval'; `style-src` lacks 'unsafe-inline'; `img-src` lacks https: blob: data:;"
    )


def test_hdr001_allows_chrome_policy_copy(app):
    path, options = folder(app, {"Content-Security-Policy": CHROME_CSP})
    assert audit_lines(path, "HDR001", options=options) == []


def test_hdr001_in_a_signed_bundle_points_at_the_response_bytes(tmp_path):
    key = ed25519_key(4)
    data = sign(build_wbn(simple_app(), headers={"content-security-policy": PLUGIN_CSP}), [key])
    path = tmp_path / "app.swbn"
    path.write_bytes(data)
    from auditor.readers import open_input

    root_response = open_input(path).resources["/"].byte_range[0]
    [line] = audit_lines(path, "HDR001")
    assert line.startswith(f"HDR001 warning /@{root_response} the bundle's CSP header (3 responses carry it) blocks")


def test_hdr002_flags_loosening_entries(app):
    path, options = folder(app, {"Content-Security-Policy": CHROME_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline' https://cdn.example")})
    assert audit_lines(path, "HDR002", options=options) == [
        "HDR002 note /index.html the bundle's CSP header (3 responses carry it) allows `script-src 'unsafe-inline'`, `script-src https://cdn.example`, which Chrome's policy blocks anyway"
    ]


def test_hdr002_allows_stricter_policy(app):
    path, options = folder(app, {"Content-Security-Policy": "default-src 'self'; img-src 'self'"})
    assert audit_lines(path, "HDR002", options=options) == []


def test_hdr003_flags_replaced_coep(app):
    path, options = folder(app, {"Cross-Origin-Embedder-Policy": "credentialless", "Cross-Origin-Opener-Policy": "same-origin"})
    assert audit_lines(path, "HDR003", options=options) == [
        "HDR003 note /index.html `cross-origin-embedder-policy: credentialless` is replaced by Chrome with `require-corp` (3 responses)"
    ]


def test_hdr003_allows_chrome_values(app):
    path, options = folder(app, {"Cross-Origin-Embedder-Policy": "require-corp", "Cross-Origin-Resource-Policy": "same-origin"})
    assert audit_lines(path, "HDR003", options=options) == []
