"""Rule docs: generated pages are current, helpUri names one, docs cite public references only,
security-severity is calibrated, and --list-rules --format json lists every rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

from auditor.cli import main
from auditor.commands.docs import main as docs_main
from auditor.engine.catalogue import all_rules
from auditor.reporters.sarif import rule_descriptor
from auditor.rule_docs import DOCS_FOLDER, PROJECT_URL, stale_pages

ROOT = Path(__file__).resolve().parents[1]
SIGNATURE_IDENTITY_REMOTE_CODE = {"SIG001", "SIG002", "SIG003", "SIG004", "SIG005", "SIG006", "SIG007", "SCR005", "UPD001", "UPD004", "OTA003", "OTA010", "OTA012", "OTA020", "OTA021", "OTA022", "OTA023", "OTA030", "OTA040", "OTA041", "OTA042"}
FUNCTIONAL = {"MAN001", "MAN002", "MAN003", "MAN004", "MAN005", "MAN006", "MAN007", "MAN008", "MAN009", "MAN010", "MAN011", "MAN012", "BND001", "BND002", "BND006", "BND008", "LNK003", "LNK006", "SCR001", "SCR002", "SCR003", "SCR008", "OTA001", "OTA002", "OTA015", "PRM011"}


def test_committed_rule_pages_are_current():
    assert stale_pages(ROOT / DOCS_FOLDER, all_rules()) == [], "regenerate: python -m auditor.commands.docs"


def test_docs_check_mode_notices_a_stale_page(tmp_path):
    assert docs_main([str(tmp_path)]) == 0
    assert docs_main(["--check", str(tmp_path)]) == 0
    (tmp_path / "MAN001.md").write_text("old", encoding="utf-8")
    assert docs_main(["--check", str(tmp_path)]) == 1


def test_help_uri_names_a_page_that_exists():
    for rule in all_rules():
        uri = rule_descriptor(rule)["helpUri"]
        assert uri.startswith(PROJECT_URL + "/blob/main/")
        assert (ROOT / uri.removeprefix(PROJECT_URL + "/blob/main/")).is_file(), uri


def test_rule_docs_cite_no_unshipped_files():
    for rule in all_rules():
        assert not re.search(r"(^|[\s(])\.\./shared/", rule.docs), rule.id
        assert "## References" not in rule.docs or rule.docs.split("## References", 1)[1].strip(), rule.id


def test_security_severity_is_calibrated():
    severity = {r.id: r.security_severity for r in all_rules()}
    assert all(value is not None and 0.0 <= value <= 10.0 for value in severity.values())
    assert {rid for rid in SIGNATURE_IDENTITY_REMOTE_CODE if severity[rid] < 7.0} == set()
    assert {rid for rid in FUNCTIONAL if severity[rid] > 3.9} == set()


def test_list_rules_as_json(capsys):
    assert main(["--list-rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert [r["id"] for r in listed] == [r.id for r in all_rules()]
    first = listed[0]
    assert set(first) >= {"id", "name", "level", "security_severity", "summary", "help_uri"}
