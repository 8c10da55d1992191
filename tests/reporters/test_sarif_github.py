"""SARIF as GitHub code scanning needs it: categories, startLine everywhere, GitHub's own
line hash, absolute file URIs outside the tree; checked by Microsoft's validator when npm is here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import build_wbn, ed25519_key, sign, simple_app
from helpers import write_tree
from sarif_multitool import github_rule_results, multitool
from test_sarif import assert_valid_sarif
from zipcraft import APP, write_zip

from auditor.cli import main
from auditor.reporters.line_hash import line_hashes

BAD_JS = "el.innerHTML = x;\neval('1');\n"


def inputs(root: Path) -> dict[str, Path]:
    """One input of each kind GitHub users upload, with findings inside text resources."""
    files = simple_app(**{"app.js": BAD_JS, "": "<!doctype html>\n<script>go()</script><img src='https://cdn.example/a.png'>"})
    (root / "app.swbn").write_bytes(sign(build_wbn(files), [ed25519_key()]))
    (root / "app.wbn").write_bytes(build_wbn(files))
    write_zip(root / "ota.zip", {**APP, "app.js": "eval(x)\n"})
    write_tree(root / "dist", {
        ".well-known/manifest.webmanifest": {"name": "A", "id": "/chat/", "version": "01.0"},
        "index.html": "<!doctype html>\n<script>go()</script>\n",
        "app.js": BAD_JS,
    })
    (root / "update.json").write_text(json.dumps({"versions": [{"version": "1.0.0", "src": "http://x.example/a.swbn"}]}, indent=2))
    return {"folder": root / "dist", "swbn": root / "app.swbn", "wbn": root / "app.wbn", "zip": root / "ota.zip", "update": root / "update.json"}


def sarif_of(capsys, path: Path, *extra: str) -> dict:
    main([str(path), "--format", "sarif", *extra])
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    work = tmp_path / "repo"
    work.mkdir()
    monkeypatch.chdir(work)
    return inputs(work)


def test_line_hash_matches_githubs_published_vectors():
    # expected values from github/codeql-action src/fingerprints.test.ts
    assert line_hashes("", [1]) == {1: "c129715d7a2bc9a3:1"}
    assert line_hashes(" a\nb\n  \t\tc\n d", range(1, 5)) == {1: "271789c17abda88f:1", 2: "54703d4cd895b18:1", 3: "180aee12dab6264:1", 4: "a23a3dc5e078b07b:1"}
    crlf = line_hashes(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", range(1, 8))
    assert crlf == line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", range(1, 8))
    assert crlf[1] == "e9496ae3ebfced30:1" and crlf[7] == "c129715d7a2bc9a3:1"
    repeated = line_hashes("Lorem ipsum dolor sit amet.\n" * 10, range(1, 12))
    assert [repeated[n] for n in (1, 6, 7, 11)] == ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "c129715d7a2bc9a3:1"]
    assert line_hashes("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n", [1, 7]) == {1: "e54938cc54b302f1:1", 7: "f1b89f20de0d133:1"}


def test_no_automation_id_by_default_and_category_sets_it(tree, capsys):
    assert "automationDetails" not in sarif_of(capsys, tree["folder"])["runs"][0]
    run = sarif_of(capsys, tree["folder"], "--sarif-category", "iwa/chat")["runs"][0]
    assert run["automationDetails"] == {"id": "iwa/chat/"}


def test_every_result_has_a_start_line_and_both_fingerprints(tree, capsys, sarif_validator):
    for kind, path in tree.items():
        log = sarif_of(capsys, path)
        assert_valid_sarif(log, sarif_validator)
        results = log["runs"][0]["results"]
        assert results, kind
        for result in results:
            region = result["locations"][0]["physicalLocation"]["region"]
            assert region["startLine"] >= 1, (kind, result["ruleId"])
            assert set(result["partialFingerprints"]) == {"iwaAuditFingerprint/v1", "primaryLocationLineHash"}, (kind, result["ruleId"])


def test_bundle_text_keeps_its_real_line_and_binary_regions_keep_bytes(tree, capsys):
    results = sarif_of(capsys, tree["swbn"])["runs"][0]["results"]
    eval_hit = next(r for r in results if r["ruleId"] == "SCR004")
    assert eval_hit["properties"]["bundleResource"] == "/app.js"
    assert eval_hit["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert eval_hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.swbn"
    assert eval_hit["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(BAD_JS, [2])[2]
    unsigned = next(r for r in sarif_of(capsys, tree["wbn"])["runs"][0]["results"] if r["ruleId"] == "SIG001")
    assert unsigned["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "byteOffset": 0, "byteLength": 0}
    assert unsigned["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")


def test_line_hash_of_a_folder_file_is_what_upload_sarif_computes(tree, capsys):
    results = sarif_of(capsys, tree["folder"])["runs"][0]["results"]
    eval_hit = next(r for r in results if r["ruleId"] == "SCR004")
    assert eval_hit["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "dist/app.js", "uriBaseId": "%SRCROOT%"}
    text = (tree["folder"] / "app.js").read_text()
    assert eval_hit["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text, [2])[2]


def test_a_file_outside_the_working_tree_gets_an_absolute_file_uri(tmp_path, capsys, monkeypatch, sarif_validator):
    (tmp_path / "elsewhere").mkdir()
    outside = inputs(tmp_path / "elsewhere")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    log = sarif_of(capsys, outside["folder"])
    assert_valid_sarif(log, sarif_validator)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"].startswith("file:///") and "uriBaseId" not in artifact
    assert Path(artifact["uri"][len("file://"):]).resolve().is_relative_to(outside["folder"].resolve())


def test_microsoft_sarif_validator_with_github_rules_finds_no_error(tree, tmp_path, capsys):
    multitool()  # skips without npm, before any log is written
    outside = tmp_path / "outside"
    outside.mkdir()
    tree["outside"] = inputs(outside)["folder"]
    logs = []
    for kind, path in tree.items():
        target = tmp_path / f"{kind}.sarif"
        target.write_text(json.dumps(sarif_of(capsys, path)), encoding="utf-8")
        logs.append(target)
    assert github_rule_results(logs, tmp_path) == []
