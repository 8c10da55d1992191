"""Property tests for the content parsers: any page, stylesheet, script or manifest text audits
without a crashed rule (AUD002), and positions stay inside the text."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from helpers import write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.engine.catalogue import all_rules
from auditor.engine.registry import RuleSet
from auditor.engine.runner import run_rules
from auditor.readers import open_input

RULES = RuleSet(all_rules())
SETTINGS = settings(max_examples=int(os.environ.get("IWA_FUZZ_EXAMPLES", "60")),  # raise it for a longer hunt
    deadline=None, suppress_health_check=[HealthCheck.too_slow])
FRAGMENTS = [
    "<script>", "</script>", "<script type=module>", "<style>", "</style>", "<!--", "-->", "<a href='javascript:x'>",
    "onclick=", "<base href=/>", "<img src=http://a>", "<iframe src=https://b>", "eval(", "new Function(", "setTimeout('",
    "innerHTML=", "import(", "import x from 'https://c';", "`${", "}`", "/*", "*/", "//", "@import url(", "@font-face{src:url(",
    "iwa-audit: ignore[SCR001] r", "iwa-audit: ignore[", "trustedTypes.createPolicy('default',{})", "new Worker(",
    "navigator.serial", "isolated-app://", "\u00e9", "\U0001f600", "\x00", "\r\n", "{", "}", "(", ")", "'", '"', ";",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join)


def audit_tree(files: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "app", files)
        report = run_rules(open_input(root), RULES)
        crashed = [f.message for f in report.findings if f.rule_id == "AUD002"]
        assert not crashed, crashed
        for finding in report.findings:
            span = finding.location.span
            if span is not None:
                assert 1 <= span.start_line <= span.end_line and span.start_column >= 1


@SETTINGS
@given(html=texts, js=texts, css=texts)
def test_any_page_script_and_stylesheet_audit_without_a_crash(html, js, css):
    manifest = {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", "permissions_policy": {"camera": ["self"]}}
    audit_tree({"index.html": html, "app.js": js, "style.css": css, ".well-known/manifest.webmanifest": manifest})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(["/", "self", "*", "web+x", "%s", "1.0.0"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from([
        "name", "id", "scope", "start_url", "version", "icons", "src", "sizes", "purpose", "permissions_policy", "camera",
        "protocol_handlers", "protocol", "url", "share_target", "action", "method", "enctype", "params", "files",
        "file_handlers", "accept", "shortcuts", "launch_handler", "client_mode", "note_taking", "new_note_url",
        "display", "display_override", "update_manifest_url", "scope_extensions",
    ]), children, max_size=6),
    max_leaves=30,
)


@SETTINGS
@given(manifest=json_values)
def test_any_manifest_shape_audits_without_a_crash(manifest):
    audit_tree({"index.html": "<p>", ".well-known/manifest.webmanifest": json.dumps(manifest)})


@SETTINGS
@given(document=json_values)
def test_any_update_manifest_shape_audits_without_a_crash(document):
    value = {"versions": document} if not isinstance(document, dict) else {"versions": [], **document}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "update.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        report = run_rules(open_input(path), RULES)
        assert not [f.message for f in report.findings if f.rule_id == "AUD002"]
