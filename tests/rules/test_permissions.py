"""PRM rules: manifest grants and the headers that narrow them, each with its near miss."""

from __future__ import annotations

import json

from helpers import audit_lines, position
from test_manifest import GOOD, M, manifest_app, q


def policy_app(app, policy, *, header: str | None = None):
    path, text = manifest_app(app, {**GOOD, "permissions_policy": policy})
    options = {}
    if header is not None:
        headers = path.parent / "headers.json"
        headers.write_text(json.dumps({"Permissions-Policy": header}), encoding="utf-8")
        options = {"headers_file": str(headers)}
    return path, text, options


def lines(app, select, policy, header=None):
    path, text, options = policy_app(app, policy, header=header)
    return audit_lines(path, select, options=options), text


def test_prm001_flags_string_allowlist_and_non_string_item(app):
    found, text = lines(app, "PRM001", {"camera": "self", "microphone": [True]})
    assert found == [
        f"PRM001 error {M}:{position(text, q('self'))} `camera` must map to an array of strings; Chrome drops the whole policy",
        f"PRM001 error {M}:{position(text, 'true')} `microphone[0]` is a bool, not an allowlist entry; Chrome drops the whole policy",
    ]


def test_prm001_flags_non_object(app):
    found, text = lines(app, "PRM001", ["camera"])
    assert found == [f"PRM001 error {M}:{position(text, '[', 2)} `permissions_policy` must be an object of feature to array of strings; Chrome drops the whole policy"]


def test_prm001_allows_object_of_string_arrays(app):
    assert lines(app, "PRM001", {"camera": ["self"], "cross-origin-isolated": ["self"]})[0] == []


def test_prm002_flags_empty_allowlist(app):
    found, text = lines(app, "PRM002", {"fullscreen": []})
    assert found == [f"PRM002 warning {M}:{position(text, '[]')} `fullscreen` has an empty allowlist: the feature stays off"]


def test_prm002_allows_none_token(app):
    assert lines(app, "PRM002", {"fullscreen": ["none"]})[0] == []


def test_prm003_flags_typo_and_suggests(app):
    found, text = lines(app, "PRM003", {"geolocaton": ["self"], "clipboard_read": ["self"]})
    assert found == [
        f"PRM003 warning {M}:{position(text, q('geolocaton'))} unknown feature `geolocaton`: Chrome drops it",
        f"PRM003 warning {M}:{position(text, q('clipboard_read'))} unknown feature `clipboard_read`: Chrome drops it; did you mean `clipboard-read`?",
    ]


def test_prm003_flags_odd_unicode_name(app):
    found, _ = lines(app, "PRM003", {"camer\u0430": ["self"]})  # Cyrillic a
    assert [ln.split(" ", 3)[3] for ln in found] == ["unknown feature `camer\\u0430`: Chrome drops it"]


def test_prm003_allows_known_and_isolated_features(app):
    assert lines(app, "PRM003", {"camera": ["self"], "direct-sockets": ["self"], "cross-origin-isolated": ["self"]})[0] == []


def test_prm004_flags_host_without_scheme_src_and_http_origin(app):
    found, text = lines(app, "PRM004", {"camera": ["self", "meet.example.com", "src", "http://a.example"]})
    assert found == [
        f"PRM004 warning {M}:{position(text, q('meet.example.com'))} `camera` entry \"meet.example.com\" is not an https origin",
        f"PRM004 warning {M}:{position(text, q('src'), 2)} `camera` entry \"src\" means nothing in a manifest (it is for iframe `allow`)",
        f"PRM004 warning {M}:{position(text, q('http://a.example'))} `camera` entry \"http://a.example\" is not an https origin",
    ]


def test_prm004_allows_keywords_any_case_and_quoted(app):
    assert lines(app, "PRM004", {"camera": ["SELF", "'self'", "none", "*", "https://meet.example.com"]})[0] == []


def test_prm005_flags_wildcard(app):
    found, text = lines(app, "PRM005", {"camera": ["self", "*"]})
    assert found == [f"PRM005 warning {M}:{position(text, q('*'))} `camera` is granted to every origin (`*`)"]


def test_prm005_allows_self(app):
    assert lines(app, "PRM005", {"camera": ["self"]})[0] == []


def test_prm006_flags_third_party_origin(app):
    found, text = lines(app, "PRM006", {"camera": ["self", "https://Meet.Example.com:443/x"]})
    assert found == [f"PRM006 warning {M}:{position(text, q('https://Meet.Example.com:443/x'))} `camera` is granted to the third-party origin `https://meet.example.com`"]


def test_prm006_allows_self_only(app):
    assert lines(app, "PRM006", {"camera": ["self", "none"]})[0] == []


def test_prm007_flags_direct_sockets_without_coi(app):
    found, text = lines(app, "PRM007", {"direct-sockets": ["self"], "controlled-frame": ["self"]})
    assert found == [
        f"PRM007 error {M}:{position(text, q('direct-sockets'))} `direct-sockets` needs `cross-origin-isolated` granted to self; without it the API is not exposed",
        f"PRM007 error {M}:{position(text, q('controlled-frame'))} `controlled-frame` needs `cross-origin-isolated` granted to self; without it the API is not exposed",
    ]


def test_prm007_allows_isolated_feature_with_coi(app):
    assert lines(app, "PRM007", {"direct-sockets": ["self"], "cross-origin-isolated": ["self"]})[0] == []


def test_prm008_flags_header_that_blocks_a_grant(app):
    found, _ = lines(app, "PRM008", {"camera": ["self"], "fullscreen": ["*"]}, header='camera=(), fullscreen=("https://a.example")')
    assert found == [
        "PRM008 warning /index.html `/index.html` header `Permissions-Policy` turns off `camera`, which the manifest grants",
        "PRM008 warning /index.html `/index.html` header `Permissions-Policy` turns off `fullscreen`, which the manifest grants",
    ]


def test_prm008_allows_header_that_keeps_self(app):
    found, _ = lines(app, "PRM008", {"camera": ["self", "https://a.example"], "fullscreen": ["self"]}, header="camera=(self), fullscreen=*")
    assert found == []


def test_prm009_flags_header_feature_missing_from_manifest(app):
    found, _ = lines(app, "PRM009", {"camera": ["self"]}, header="camera=(self), fullscreen=(self)")
    assert found == [
        "PRM009 warning /index.html `/index.html` header `Permissions-Policy` names `fullscreen`, which the manifest does not grant: the header cannot add it"
    ]


def test_prm009_allows_header_narrowing_granted_features(app):
    assert lines(app, "PRM009", {"camera": ["self"]}, header="camera=()")[0] == []


def test_prm010_flags_feature_policy_syntax(app):
    found, _ = lines(app, "PRM010", {"camera": ["self"]}, header="camera 'none'; microphone 'none'")
    assert found == [
        "PRM010 warning /index.html `/index.html` header `Permissions-Policy` is not a structured-field dictionary (RFC 8941); Chrome ignores all of it"
    ]


def test_prm010_allows_structured_dictionary(app):
    assert lines(app, "PRM010", {"camera": ["self"]}, header='camera=(self "https://a.example"), geolocation=()')[0] == []


def test_inspect_prints_effective_policy(app, capsys):
    from auditor.commands.inspect import main

    path, _, options = policy_app(app, {"camera": ["self"], "direct-sockets": ["self"], "cross-origin-isolated": ["self"]}, header="camera=()")
    # inspect takes a bundle or folder; headers come from the folder's headers file option
    assert main([str(path), "--format", "json", "--headers", options["headers_file"]]) == 0
    data = json.loads(capsys.readouterr().out)
    table = {row["feature"]: row for row in data["effective_policy"]}
    assert table["camera"]["effective_for_app"] == "off" and table["camera"]["headers"] == ["/index.html"]
    assert table["direct-sockets"] == {
        "feature": "direct-sockets", "manifest": "self", "headers": [], "effective_for_app": "on", "isolated_context_only": True,
    }


def script_app(app, policy, script: str):
    path, text = manifest_app(app, {**GOOD, "permissions_policy": policy}, **{"app.js": script})
    return path, text


def test_prm011_flags_apis_without_grants_at_their_position(app):
    script = "// é non-ASCII before\nconst p = await navigator.serial.requestPort(); new TCPSocket('h', 1);\nnavigator.clipboard.writeText('x'); navigator.usb;"
    path, _ = script_app(app, {"usb": ["self"]}, script)
    assert audit_lines(path, "PRM011") == [
        f"PRM011 error /app.js:{position(script, 'navigator.serial')} `navigator.serial` needs `serial`, which the manifest does not grant: it is blocked at run time",
        f"PRM011 error /app.js:{position(script, 'new TCPSocket')} `new TCPSocket` needs `direct-sockets`, which the manifest does not grant: it is blocked at run time",
        f"PRM011 error /app.js:{position(script, 'navigator.clipboard.writeText')} `clipboard.writeText` needs `clipboard-write`, which the manifest does not grant: it is blocked at run time",
    ]


def test_prm011_flags_controlled_frame_on_minified_line(app):
    script = "var a=1;" * 500 + 'document.createElement("controlledframe")'
    path, _ = script_app(app, {"cross-origin-isolated": ["self"]}, script)
    assert audit_lines(path, "PRM011") == [
        "PRM011 error /app.js:1:4001 `createElement(\"controlledframe\")` needs `controlled-frame`, which the manifest does not grant: it is blocked at run time"
    ]


def test_prm011_allows_granted_apis_and_lookalikes(app):
    script = "navigator.serial.getPorts(); const serial = {usb: 1}; serial.usb; myNavigator.hid; 'navigator.usb';"
    path, _ = script_app(app, {"serial": ["self"]}, script)
    assert audit_lines(path, "PRM011") == []


def test_prm012_flags_unused_grant(app):
    path, text = script_app(app, {"usb": ["self"], "serial": ["self"], "cross-origin-isolated": ["self"]}, "navigator.serial.getPorts();")
    assert audit_lines(path, "PRM012") == [f"PRM012 note {M}:{position(text, q('usb'))} `usb` is granted but no script uses it"]


def test_prm012_allows_used_grants_and_undetectable_features(app):
    path, _ = script_app(app, {"usb": ["self"], "cross-origin-isolated": ["self"], "camera": ["self"]}, "await navigator.usb.requestDevice({filters: []});")
    assert audit_lines(path, "PRM012") == []


def test_prm011_flags_controlledframe_element_in_html(app):
    html = '<!doctype html>\n<main>\n  <controlledframe src="https://example.com"></controlledframe>\n</main>'
    path, _ = manifest_app(app, {**GOOD, "permissions_policy": {"cross-origin-isolated": ["self"]}}, **{"index.html": html})
    assert audit_lines(path, "PRM011") == [
        "PRM011 error /index.html:3:3 `<controlledframe>` needs `controlled-frame`, which the manifest does not grant: it is blocked at run time"
    ]


def test_prm011_allows_controlledframe_when_granted(app):
    html = '<controlledframe src="https://example.com"></controlledframe>'
    policy = {"cross-origin-isolated": ["self"], "controlled-frame": ["self"]}
    path, _ = manifest_app(app, {**GOOD, "permissions_policy": policy}, **{"index.html": html})
    assert audit_lines(path, "PRM011") == [] and audit_lines(path, "PRM012") == []
