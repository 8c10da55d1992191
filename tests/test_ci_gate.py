"""The CI gate, pre-commit and editor features: configuration, suppressions, baselines, source
mapping, GitHub annotations, exit policy and the rule table."""

from __future__ import annotations

import json
import re
from pathlib import Path

from builders import build_wbn, ed25519_key, sign
from helpers import write_tree

from auditor.cli import main

MANIFEST = {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}
ROOT = Path(__file__).resolve().parents[1]


def project(tmp_path: Path, files: dict, config: str | None = None) -> Path:
    """A repo folder with an app in `dist/` and, optionally, a .iwa-audit.toml."""
    write_tree(tmp_path / "dist", {".well-known/manifest.webmanifest": MANIFEST, **files})
    if config is not None:
        (tmp_path / ".iwa-audit.toml").write_text(config, encoding="utf-8")
    return tmp_path


def run(capsys, argv) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# --- configuration ---------------------------------------------------------------------------------


def test_unknown_config_key_is_an_error_naming_it(tmp_path, capsys, monkeypatch):
    project(tmp_path, {"index.html": "<p>"}, 'paths = ["dist"]\nfail_level = "error"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, [])
    assert code == 2
    assert "unknown key `fail_level`" in err and "fail-level" in err


def test_config_with_a_wrong_type_names_the_key(tmp_path, capsys, monkeypatch):
    project(tmp_path, {"index.html": "<p>"}, 'select = "SCR"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, [])
    assert code == 2 and "`select`" in err


def test_no_path_audits_the_configured_paths_with_levels_and_path_ignores(tmp_path, capsys, monkeypatch):
    files = {"index.html": "<script>go()</script>", "vendor/lib.html": "<object data='/x'></object><script>x()</script>"}
    config = 'paths = ["dist"]\nselect = ["SCR"]\n[levels]\nSCR001 = "warning"\n[per-path-ignores]\n"/vendor/*" = ["SCR001"]\n'
    project(tmp_path, files, config)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, ["--format", "json"])
    findings = [(f["rule_id"], f["level"], f["path"]) for f in json.loads(out)["findings"]]
    assert findings == [("SCR001", "warning", "dist/index.html"), ("SCR011", "error", "dist/vendor/lib.html")]
    assert code == 1


def test_pyproject_table_is_read(tmp_path, capsys, monkeypatch):
    project(tmp_path, {"index.html": "<script>go()</script>"})
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.iwa-audit]\npaths = ["dist"]\nfail-level = "error"\nignore = ["SCR001", "MAN"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run(capsys, [])[0] == 0


# --- inline suppressions ---------------------------------------------------------------------------


def test_suppression_with_reason_hides_the_finding(tmp_path, capsys):
    html = "<p>\n<!-- iwa-audit: ignore[SCR001] vendor snippet, removed in 2.0 -->\n<script>legacy()</script>"
    root = project(tmp_path, {"index.html": html})
    code, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR", "--format", "json"])
    assert json.loads(out)["findings"] == [] and code == 0


def test_suppression_without_reason_is_reported_and_does_not_apply(tmp_path, capsys):
    js = "// iwa-audit: ignore[SCR004]\neval(code);\n/* iwa-audit: ignore[SCR999] typo */\neval(more);"
    root = project(tmp_path, {"index.html": "<p>", "app.js": js})
    code, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR,AUD", "--format", "json"])
    found = [(f["rule_id"], f["line"], f["message"]) for f in json.loads(out)["findings"]]
    assert found == [
        ("AUD004", 1, "suppression comment ignored: no reason after the brackets"),
        ("SCR004", 2, "`eval` compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)"),
        ("AUD004", 3, "suppression comment ignored: unknown rule id SCR999"),
        ("SCR004", 4, "`eval` compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)"),
    ]
    assert code == 1


def test_unused_suppression_is_reported_and_no_ignores_shows_everything(tmp_path, capsys, monkeypatch):
    css = "/* iwa-audit: ignore[SCR007] fonts are self-hosted now */\nbody { margin: 0 }\n"
    html = '<link rel="stylesheet" href="https://cdn.example/a.css"> <!-- iwa-audit: ignore[SCR007] approved CDN (SEC-12) -->'
    root = project(tmp_path, {"index.html": html, "style.css": css})
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR,AUD", "--format", "json"])
    assert [(f["rule_id"], f["path"]) for f in json.loads(out)["findings"]] == [("AUD005", "dist/style.css")]
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR", "--format", "json", "--no-ignores"])
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["SCR007"]


def test_sarif_leaves_suppressed_out_unless_asked_and_then_keeps_the_reason(tmp_path, capsys):
    html = "<!-- iwa-audit: ignore[SCR001] bootstrap shim -->\n<script>boot()</script>"
    root = project(tmp_path, {"index.html": html})
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR001", "--format", "sarif"])
    assert json.loads(out)["runs"][0]["results"] == []
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR001", "--format", "sarif", "--sarif-include-suppressed"])
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "bootstrap shim"}]


# --- baselines ---------------------------------------------------------------------------------------


def test_baseline_hides_old_findings_and_shows_a_new_one_after_lines_move(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<p>", "app.js": "el.innerHTML = '';\neval(code);\n"})
    baseline = tmp_path / "iwa-baseline.json"
    code, _, err = run(capsys, [str(root / "dist"), "--select", "SCR", "--write-baseline", str(baseline)])
    assert code == 0 and "wrote 2 finding(s)" in err
    # the code moves down and a new problem appears
    (root / "dist" / "app.js").write_text("// header\n\n\nel.innerHTML = '';\n\neval(code);\nsetTimeout('tick()', 5);\n", encoding="utf-8")
    code, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR", "--baseline", str(baseline), "--format", "json"])
    assert [(f["rule_id"], f["line"]) for f in json.loads(out)["findings"]] == [("SCR004", 7)]
    assert code == 1


def test_unreadable_baseline_is_a_clear_error(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<p>"})
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    code, _, err = run(capsys, [str(root / "dist"), "--baseline", str(tmp_path / "b.json")])
    assert code == 2 and "not an iwa-audit baseline" in err


# --- source mapping ----------------------------------------------------------------------------------


def test_source_root_maps_bundle_findings_to_repo_files(tmp_path, capsys, monkeypatch):
    js = "const a = 1;\nel.innerHTML = '<b>';\n"
    src = write_tree(tmp_path / "repo" / "dist", {"index.html": "<p>", "app.js": js})
    files = {"": "<p>", "app.js": js, ".well-known/manifest.webmanifest": MANIFEST}
    bundle = tmp_path / "repo" / "app.swbn"
    bundle.write_bytes(sign(build_wbn(files), [ed25519_key(5)]))
    monkeypatch.chdir(tmp_path / "repo")
    _, out, _ = run(capsys, [str(bundle), "--select", "SCR013", "--format", "sarif", "--source-root", str(src)])
    [result] = json.loads(out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "dist/app.js", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 2 and location["region"]["startColumn"] == 1
    _, out, _ = run(capsys, [str(bundle), "--select", "SCR013", "--format", "sarif"])
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.swbn"
    assert "isolated-app:" not in json.dumps(result["locations"])


# --- other formats and exit policy --------------------------------------------------------------------


def test_github_annotations_are_escaped(tmp_path, capsys, monkeypatch):
    project(tmp_path, {"index.html": "<p>", "a,b.js": "el.innerHTML = '100%';\n"})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, ["dist", "--select", "SCR013", "--format", "github"])
    assert out == (
        "::error file=dist/a%2Cb.js,line=1,col=1,endLine=1,endColumn=22,title=SCR013 trusted-types-sink::"
        "`innerHTML` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`)\n"
    )
    assert code == 1


def test_github_format_warns_about_the_per_step_cap(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<p>", "app.js": "el.innerHTML = '';\n" * 12})
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR013", "--format", "github"])
    assert out.count("::error ") == 12 and out.splitlines()[-1].startswith("::notice title=iwa-audit::GitHub shows only 10")


def test_exit_zero_keeps_findings_but_not_unreadable_input(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<script>x()</script>"})
    assert run(capsys, [str(root / "dist"), "--exit-zero"])[0] == 0
    (tmp_path / "bad.swbn").write_bytes(b"\x84\x48\xf0\x9f\x96\x8b\xf0\x9f\x93\xa6")
    assert run(capsys, [str(tmp_path / "bad.swbn"), "--exit-zero"])[0] == 2


def test_max_results_caps_sarif_with_a_notification(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<p>", "app.js": "el.innerHTML = '';\n" * 5})
    _, out, err = run(capsys, [str(root / "dist"), "--select", "SCR013", "--format", "sarif", "--max-results", "2"])
    run_ = json.loads(out)["runs"][0]
    assert len(run_["results"]) == 2
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert notes == [{"level": "warning", "message": {"text": "3 more finding(s) not reported (--max-results 2)"}}]
    assert "3 more finding(s) not reported" in err


def test_text_to_terminal_and_sarif_to_file_in_one_pass(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<script>x()</script>"})
    out_file = tmp_path / "out" / "iwa.sarif"
    _code, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR001", "--output", str(out_file), "--output-format", "sarif"])
    assert "error[SCR001]" in out
    assert json.loads(out_file.read_text())["runs"][0]["results"][0]["ruleId"] == "SCR001"


def test_readme_rule_table_is_the_list_rules_markdown_output(capsys):
    assert main(["--list-rules", "--format", "markdown"]) == 0
    table = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert found, "README has no rule table between <!-- rules:start --> and <!-- rules:end -->"
    assert found.group(1) == table, "regenerate: iwa-audit --list-rules --format markdown"


def test_sarif_base_is_absolute_by_default_and_omittable(tmp_path, capsys):
    root = project(tmp_path, {"index.html": "<script>x()</script>"})
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR001", "--format", "sarif"])
    assert json.loads(out)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    _, out, _ = run(capsys, [str(root / "dist"), "--select", "SCR001", "--format", "sarif", "--sarif-omit-base"])
    assert "originalUriBaseIds" not in json.loads(out)["runs"][0]


def test_progress_shows_only_for_large_inputs_on_a_terminal(monkeypatch, tmp_path):
    from auditor.commands.audit import Progress

    small, large = tmp_path / "small.swbn", tmp_path / "large.swbn"
    small.write_bytes(b"x" * 1024)
    with open(large, "wb") as handle:  # sparse: no real disk use
        handle.truncate(Progress.THRESHOLD)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert not Progress.wanted(small)
    assert Progress.wanted(large)
    assert not Progress.wanted(tmp_path)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert not Progress.wanted(large)


def test_version_imports_no_heavy_parser():
    import subprocess
    import sys

    probe = (
        "import sys\nfrom auditor.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'cryptography', 'cbor2', 'jsonschema', 'bs4', 'tinycss2', 'tree_sitter', 'http_sfv'}\n"
        "print('LOADED=' + ','.join(sorted(heavy & {m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.rsplit("LOADED=", 1)[1].strip() == ""


def test_progress_line_names_the_rule_and_the_resource_being_read(tmp_path, capsys):
    """The runner tells a progress object each resource whose text a rule reads."""
    from auditor.commands.audit import Progress
    from auditor.engine.catalogue import select
    from auditor.engine.pipeline import audit

    root = project(tmp_path, {"index.html": "<script>x()</script>"})
    progress = Progress(root / "dist")
    audit(root / "dist", rules=select(["SCR001"]), progress=progress)
    err = capsys.readouterr().err
    assert "[" in err and "SCR001" in err
    assert "/index.html" in err
