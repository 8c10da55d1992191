"""The one pipeline (`auditor.audit`): settings, selection, suppressions judged against the rules
that ran, the crash handler, and fingerprints that depend on the finding alone."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import write_tree
from zipcraft import write_zip

import auditor
from auditor.cli import main
from auditor.engine.catalogue import SelectionError, all_rules, select
from auditor.engine.findings import Level
from auditor.engine.record import replace
from auditor.engine.registry import RuleSet

MANIFEST = {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}


def folder(tmp_path: Path, files: dict) -> Path:
    return write_tree(tmp_path / "app", {".well-known/manifest.webmanifest": MANIFEST, **files})


def ids(report) -> list[str]:
    return [f.rule_id for f in report.active()]


# --- library API -----------------------------------------------------------------------------------


def test_library_audit_reads_runs_and_reports(tmp_path):
    root = folder(tmp_path, {"index.html": "<object data=x.swf></object>"})
    report = auditor.audit(root, rules=auditor.select(["SCR011"]))
    assert [(f.rule_id, f.level, f.location.resource, f.location.span.start_line) for f in report.active()] == [("SCR011", Level.ERROR, "/index.html", 1)]
    assert not report.incomplete


def test_settings_are_frozen_and_typed():
    settings = auditor.Settings(expect_id="abc", per_path_ignores={"/vendor/*": ["SCR"]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.expect_id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.per_path_ignores["/x"] = ("SCR",)  # type: ignore[index]
    assert settings.but(expect_id="def").expect_id == "def" and settings.expect_id == "abc"


def test_unreadable_input_is_a_report_not_an_exception(tmp_path):
    report = auditor.audit(tmp_path / "missing.swbn")
    assert ids(report) == ["AUD001"] and report.incomplete


def test_select_rejects_a_typo():
    with pytest.raises(SelectionError, match="SCRR01"):
        select(["SCRR01"])


def test_incomplete_audit_diagnostics_cannot_be_deselected():
    chosen = {r.id for r in select(["SCR011"], ["AUD"]).rules}
    assert {"AUD001", "AUD002", "AUD003"} <= chosen
    assert "AUD004" not in chosen and "AUD005" not in chosen


# --- the crash handler -------------------------------------------------------------------------------


def test_a_crashing_rule_becomes_aud002_and_the_audit_goes_on(tmp_path, capsys):
    def explode(ctx):
        raise ValueError("boom")
        yield  # pragma: no cover

    rules = list(all_rules())
    scr011 = next(r for r in rules if r.id == "SCR011")
    broken = replace(next(r for r in rules if r.id == "SCR012"), check=explode)
    root = folder(tmp_path, {"index.html": "<object data=x.swf></object><base href=/>"})
    report = auditor.audit(root, rules=RuleSet((*[r for r in rules if r.family == "AUD"], scr011, broken)))
    assert sorted(ids(report)) == ["AUD002", "SCR011"]
    [crash] = [f for f in report.active() if f.rule_id == "AUD002"]
    assert crash.message == "rule SCR012 (base-element) failed: ValueError: boom; please report"
    assert report.incomplete


def test_a_crashed_rule_logs_its_traceback_at_debug_level(tmp_path, caplog):
    """What --debug shows (logging is imported only then); without DEBUG nothing is logged."""
    import logging

    def explode(ctx):
        raise ValueError("boom")
        yield  # pragma: no cover

    broken = replace(next(r for r in all_rules() if r.id == "SCR012"), check=explode)
    root = folder(tmp_path, {"index.html": "<base href=/>"})
    with caplog.at_level(logging.INFO, logger="auditor.engine.runner"):
        auditor.audit(root, rules=RuleSet((broken,)))
    assert caplog.records == []
    with caplog.at_level(logging.DEBUG, logger="auditor.engine.runner"):
        auditor.audit(root, rules=RuleSet((broken,)))
    [record] = caplog.records
    assert record.getMessage().startswith("rule SCR012 crashed:\nTraceback (most recent call last):")
    assert "ValueError: boom" in record.getMessage()


def test_the_cli_exits_2_when_a_rule_crashed(tmp_path, capsys, monkeypatch):
    from auditor.engine import runner

    def crash(rule_, level, hit, ctx):
        raise RuntimeError("stamp failed")

    monkeypatch.setattr(runner, "stamp", crash)
    root = folder(tmp_path, {"index.html": "<object data=x.swf></object>"})
    assert main([str(root), "--select", "SCR011", "--format", "json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in data["findings"]] == ["AUD002"]


def test_an_unexpected_error_outside_the_rules_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    from auditor.commands import audit as audit_command

    def explode(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(audit_command, "run", explode)
    root = folder(tmp_path, {"index.html": "<p>x</p>"})
    assert main([str(root)]) == 2
    captured = capsys.readouterr()
    assert captured.err == "iwa-audit: internal error: RuntimeError: boom (please report; rerun with --debug)\n"
    assert captured.out == ""


# --- suppressions judged against the rules that ran ------------------------------------------------


BASE_COMMENT = "<!-- iwa-audit: ignore[SCR012] the base is rewritten by our router (#41) -->\n<base href=/>\n<object data=x.swf></object>"


def test_a_valid_suppression_of_a_rule_that_did_not_run_is_not_unused(tmp_path, capsys):
    root = folder(tmp_path, {"index.html": BASE_COMMENT})
    assert main([str(root), "--select", "SCR011,AUD", "--format", "json"]) == 1
    assert [f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["SCR011"]


def test_a_suppression_that_hides_nothing_is_reported_when_its_rule_ran(tmp_path, capsys):
    root = folder(tmp_path, {"index.html": BASE_COMMENT.replace("<base href=/>", "<p>")})
    main([str(root), "--select", "SCR012,AUD", "--format", "json"])
    assert [(f["rule_id"], f["line"]) for f in json.loads(capsys.readouterr().out)["findings"]] == [("AUD005", 1)]


def test_aud005_obeys_ignore(tmp_path, capsys):
    root = folder(tmp_path, {"index.html": BASE_COMMENT.replace("<base href=/>", "<p>")})
    assert main([str(root), "--select", "SCR012,AUD", "--ignore", "AUD005", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_aud005_obeys_configured_levels(tmp_path, capsys, monkeypatch):
    root = folder(tmp_path, {"index.html": BASE_COMMENT.replace("<base href=/>", "<p>")})
    (tmp_path / ".iwa-audit.toml").write_text('select = ["SCR012", "AUD"]\n[levels]\nAUD005 = "note"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main([str(root), "--format", "json"]) == 0  # a note is below the default fail level
    assert [(f["rule_id"], f["level"]) for f in json.loads(capsys.readouterr().out)["findings"]] == [("AUD005", "note")]


def test_aud004_obeys_select(tmp_path, capsys):
    root = folder(tmp_path, {"index.html": "<!-- iwa-audit: ignore[SCR011] -->\n<object data=x.swf></object>"})
    main([str(root), "--select", "SCR011,AUD004", "--format", "json"])
    assert [f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["AUD004", "SCR011"]
    main([str(root), "--select", "SCR011", "--format", "json"])
    assert [f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["SCR011"]


def test_comments_are_looked_for_only_when_a_finding_or_aud004_aud005_could_use_them(tmp_path, monkeypatch):
    from auditor.engine import suppressions

    archive = write_zip(tmp_path / "b.zip", {"www/app.js": "// iwa-audit: ignore[OTA001] fine\n"})  # OTA001: no index.html, no text place
    calls = []
    real = suppressions.directives
    monkeypatch.setattr(suppressions, "directives", lambda session: calls.append(1) or real(session))
    assert ids(auditor.audit(archive, rules=select(["OTA001"]))) == ["OTA001"] and calls == []
    assert ids(auditor.audit(archive, rules=select(["OTA001", "AUD005"]))) == ["OTA001", "AUD005"] and calls == [1]


def test_a_text_without_the_marker_is_never_decoded_for_comments(tmp_path, monkeypatch):
    from auditor.engine.context import Context

    decoded = []
    real = Context.text
    monkeypatch.setattr(Context, "text", lambda self, resource: decoded.append(resource.path) or real(self, resource))
    plain = write_zip(tmp_path / "a.zip", {"index.html": "<p>", "app.js": "go()\n"})
    auditor.audit(plain, rules=select(["AUD005"]))
    assert decoded == []
    marked = write_zip(tmp_path / "b.zip", {"index.html": "<p>", "app.js": "go() // iwa-audit: ignore[OTA010] test key\n"})
    auditor.audit(marked, rules=select(["AUD005"]))
    assert decoded == ["/app.js"]


# --- fingerprints are a function of the finding alone ----------------------------------------------


def test_object_fingerprint_does_not_depend_on_other_selected_rules(tmp_path):
    root = folder(tmp_path, {"index.html": '<button onclick="go()">x</button>\n<object data=x.swf></object>'})
    alone = auditor.audit(root, rules=select(["SCR011"]))
    together = auditor.audit(root, rules=select(["SCR011", "SCR002"]))
    [a] = [f for f in alone.active() if f.rule_id == "SCR011"]
    [b] = [f for f in together.active() if f.rule_id == "SCR011"]
    assert (a.fingerprint, a.snippet) == (b.fingerprint, b.snippet)
    assert a.snippet == "<object data=x.swf></object>"


def inputs(tmp_path: Path) -> list[Path]:
    """A mix of inputs on which many rule families fire."""
    app = folder(tmp_path, {
        "index.html": '<!doctype html><base href=/>\n<button onclick="go()">x</button>\n<script>eval(location.hash)</script>\n'
                      '<object data=x.swf></object><script src="https://cdn.example/a.js"></script>\n<link rel=stylesheet href=style.css>',
        "style.css": "@import url(https://fonts.example/a.css);\nbody { background: url(http://x.example/a.png) }\n",
        "app.js": "document.body.innerHTML = location.hash;\nnew Worker('w.js');\nnavigator.usb.requestDevice({filters: []});\n",
    })
    update = tmp_path / "update.json"
    update.write_text(json.dumps({"versions": [{"version": "1.0.0", "src": "http://example.com/a.swbn"}, {"version": "1.0", "src": "b.swbn"}]}, indent=2), encoding="utf-8")
    config = tmp_path / "capacitor.config.json"
    config.write_text(json.dumps({"appId": "com.example", "plugins": {"CapacitorUpdater": {"updateUrl": "http://example.com/u", "autoUpdate": True}}}, indent=2), encoding="utf-8")
    archive = write_zip(tmp_path / "bundle.zip", {"index.html": "<script>eval('1')</script>", "../evil.js": "x", "app.js": "fetch('http://x.example')"})
    from builders import Response, build_wbn, ed25519_key, sign, simple_app

    files = simple_app(**{
        "index.html": "<script>eval(1)</script><object data=x></object>",
        "x.js": Response(b"fetch('http://a.example')", {"content-type": "text/javascript", "X-Frame-Options": "DENY"}),
    })
    swbn = tmp_path / "app.swbn"
    swbn.write_bytes(sign(build_wbn(files), [ed25519_key()]))
    return [app, update, config, archive, swbn]


def test_every_rule_alone_gives_the_fingerprints_and_snippets_it_gives_among_all(tmp_path):
    everything = select()
    for path in inputs(tmp_path):
        together = {}
        for f in auditor.audit(path, rules=everything).findings:
            together.setdefault(f.rule_id, []).append((f.location, f.message, f.fingerprint, f.snippet))
        fired = [r for r in everything.rules if r.id in together and r.family != "AUD"]
        assert fired, path
        for rule_ in fired:
            alone = auditor.audit(path, rules=select([rule_.id]))
            got = [(f.location, f.message, f.fingerprint, f.snippet) for f in alone.findings if f.rule_id == rule_.id]
            assert got == together[rule_.id], (path.name, rule_.id)


def test_a_finding_on_a_long_minified_line_keeps_a_window_not_the_line(tmp_path, capsys):
    js = "var a=1;" * 1000 + "eval(x);" + "var b=2;" * 1000
    root = folder(tmp_path, {"index.html": "<script src=app.js></script>", "app.js": js})
    [finding] = [f for f in auditor.audit(root, rules=select(["SCR004"])).active()]
    assert finding.location.span.start_column == 8001
    assert len(finding.snippet) == 200 and finding.snippet_start == 7900
    assert finding.snippet[finding.location.span.start_column - 1 - finding.snippet_start :].startswith("eval(x)")
    main([str(root), "--select", "SCR004"])
    out = capsys.readouterr().out.splitlines()
    source, caret = out[1], out[2]
    assert source[caret.index("^") :].startswith("eval")
