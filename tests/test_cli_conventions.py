"""Command-line conventions shared with ruff and zizmor: several paths in one report, `-` for standard
input, --statistics, --quiet, --min-level, colour variables, --no-progress, one line per error."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from builders import build_wbn, ed25519_key, sign
from helpers import write_tree

from auditor.cli import main
from auditor.commands import audit as audit_command
from auditor.reporters.text import use_color

MANIFEST = {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}
INLINE = "<script>alert(1)</script>"


def run(capsys, argv) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def folder(root: Path, html: str = INLINE, manifest: dict | None = None) -> Path:
    return write_tree(root, {".well-known/manifest.webmanifest": manifest or MANIFEST, "index.html": html})


def bundle(path: Path, js: str = "el.innerHTML = '<b>';\n") -> Path:
    files = {"": "<p>", "app.js": js, ".well-known/manifest.webmanifest": MANIFEST}
    path.write_bytes(sign(build_wbn(files), [ed25519_key(5)]))
    return path


@pytest.fixture
def two_inputs(tmp_path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    return folder(tmp_path / "src"), bundle(tmp_path / "app.swbn")


# --- several paths, one report ---------------------------------------------------------------------


def test_several_paths_make_one_json_object(capsys, two_inputs):
    src, swbn = two_inputs
    code, out, _ = run(capsys, [str(src), str(swbn), "--select", "SCR001,SCR013", "--format", "json"])
    doc = json.loads(out)
    assert code == 1
    assert "input" not in doc and [i["path"] for i in doc["inputs"]] == [str(src), str(swbn)]
    assert sorted(f["rule_id"] for f in doc["findings"]) == ["SCR001", "SCR013"]
    assert doc["summary"]["error"] == 2


def test_one_path_keeps_the_input_key(capsys, two_inputs):
    src, _ = two_inputs
    _, out, _ = run(capsys, [str(src), "--select", "SCR001", "--format", "json"])
    doc = json.loads(out)
    assert doc["input"]["path"] == str(src) and doc["inputs"] == [doc["input"]]


def test_several_paths_make_one_sarif_run(capsys, two_inputs):
    src, swbn = two_inputs
    _, out, _ = run(capsys, [str(src), str(swbn), "--select", "SCR001,SCR013", "--format", "sarif"])
    [sarif_run] = json.loads(out)["runs"]
    results = sarif_run["results"]
    assert sorted(r["ruleId"] for r in results) == ["SCR001", "SCR013"]
    rule_ids = [r["id"] for r in sarif_run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"src/index.html", "app.swbn"}


def test_several_paths_in_text_and_the_exit_code_is_the_worst(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clean = folder(tmp_path / "clean", html="<p>")
    dirty = folder(tmp_path / "dirty")
    code, out, _ = run(capsys, [str(clean), str(dirty), "--select", "SCR001"])
    assert code == 1
    assert f"{clean}: no findings" in out and f"{dirty}: 1 finding" in out
    code, _, err = run(capsys, [str(clean), str(tmp_path / "missing"), "--select", "SCR001"])
    assert code == 2 and "missing" in err


def test_output_file_gets_the_format_and_the_terminal_text(capsys, two_inputs, tmp_path):
    src, swbn = two_inputs
    target = tmp_path / "out" / "report.sarif"
    _, out, _ = run(capsys, [str(src), str(swbn), "--select", "SCR001,SCR013", "--format", "sarif", "--output", str(target)])
    assert len(json.loads(target.read_text())["runs"][0]["results"]) == 2
    assert "error[SCR001]" in out and "error[SCR013]" in out


def test_output_format_alone_is_the_old_name_of_format(capsys, two_inputs):
    src, _ = two_inputs
    _, out, _ = run(capsys, [str(src), "--select", "SCR001", "--output-format", "sarif"])
    assert json.loads(out)["version"] == "2.1.0"


# --- standard input ----------------------------------------------------------------------------------


def stdin_bytes(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_dash_reads_a_bundle_from_standard_input(capsys, tmp_path, monkeypatch):
    stdin_bytes(monkeypatch, bundle(tmp_path / "in.swbn").read_bytes())
    code, out, _ = run(capsys, ["-", "--select", "SCR013", "--format", "json"])
    doc = json.loads(out)
    assert code == 1
    assert doc["input"]["path"] == "-" and doc["input"]["complete"]
    assert [f["rule_id"] for f in doc["findings"]] == ["SCR013"]
    assert all(f["path"] == "-" for f in doc["findings"])


def test_dash_with_unreadable_bytes_names_the_dash_once(capsys, monkeypatch):
    stdin_bytes(monkeypatch, b"\x00\x01garbage")
    code, out, err = run(capsys, ["-"])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("iwa-audit: -: not a Signed Web Bundle")
    assert "stdin" not in err and "/tmp" not in err


def test_dash_over_the_input_limit_is_refused(capsys, monkeypatch):
    stdin_bytes(monkeypatch, b"{" + b" " * 2000 + b"}")
    code, _, err = run(capsys, ["-", "--limit", "max_input_bytes=1000"])
    assert code == 2 and "max_input_bytes" in err


# --- statistics, quiet, min-level ----------------------------------------------------------------


def test_statistics_counts_per_rule_then_a_total(capsys, tmp_path):
    src = folder(tmp_path / "app", html=INLINE * 3)
    code, out, _ = run(capsys, [str(src), "--select", "SCR001", "--statistics"])
    assert code == 1
    assert out.splitlines() == ["3  SCR001  inline-script", "3 findings"]


def test_statistics_with_json_keeps_stdout_json(capsys, tmp_path):
    src = folder(tmp_path / "app")
    _, out, err = run(capsys, [str(src), "--select", "SCR001", "--statistics", "--format", "json"])
    assert len(json.loads(out)["findings"]) == 1 and "1  SCR001  inline-script" in err


def test_quiet_prints_only_the_summary_and_nothing_when_clean(capsys, tmp_path):
    dirty = folder(tmp_path / "dirty")
    code, out, _ = run(capsys, [str(dirty), "--select", "SCR001", "--quiet"])
    assert code == 1 and out == f"{dirty}: 1 finding (1 error)\n"
    code, out, _ = run(capsys, [str(folder(tmp_path / "clean", html="<p>")), "--select", "SCR001", "-q"])
    assert code == 0 and out == ""


def reported(fmt: str, out: str) -> object:
    """What a report lists as findings, per format."""
    if fmt == "json":
        return json.loads(out)["findings"]
    if fmt == "sarif":
        return json.loads(out)["runs"][0]["results"]
    return "MAN011" in out


def test_min_level_leaves_lower_findings_out_of_every_format(capsys, tmp_path):
    src = folder(tmp_path / "app", manifest={**MANIFEST, "display": "browser"})
    _, out, _ = run(capsys, [str(src), "--select", "MAN011", "--format", "json", "--fail-level", "note"])
    assert [f["level"] for f in json.loads(out)["findings"]] == ["note"]  # the near-miss: shown without --min-level
    for fmt in ("json", "sarif", "text"):
        code, out, _ = run(capsys, [str(src), "--select", "MAN011", "--format", fmt, "--fail-level", "note", "--min-level", "warning"])
        assert code == 0, fmt
        assert not reported(fmt, out), fmt


# --- colour and progress -----------------------------------------------------------------------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, True), ({"TERM": "dumb"}, False), ({"TERM": "dumb", "FORCE_COLOR": "1"}, True)],
)
def test_colour_follows_no_color_force_color_and_term(monkeypatch, env, expected):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color("auto", Tty()) is expected
    assert use_color("never", Tty()) is False


def test_force_color_paints_a_pipe(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", io.StringIO()) is True


def test_no_progress_turns_the_progress_line_off(capsys, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(audit_command.Progress, "wanted", classmethod(lambda cls, path: True))
    monkeypatch.setattr(audit_command.Progress, "__call__", lambda self, *a: calls.append((self.name, *a)))
    src = folder(tmp_path / "app")
    run(capsys, [str(src), "--select", "SCR001"])
    assert calls and calls[-1][0] == "app" and calls[-1][-1] == "SCR001"
    calls.clear()
    run(capsys, [str(src), "--select", "SCR001", "--no-progress"])
    assert calls == []


# --- errors and hints ----------------------------------------------------------------------------


def test_unreadable_input_is_one_line_on_stderr_and_json_stays_valid(capsys, tmp_path):
    missing = tmp_path / "nope"
    code, out, err = run(capsys, [str(missing)])
    assert code == 2 and out == ""
    assert err == f"iwa-audit: {missing}: no such file or folder\n"
    code, out, err = run(capsys, [str(missing), "--format", "json"])
    assert code == 2 and json.loads(out)["findings"][0]["rule_id"] == "AUD001"
    assert err.count(str(missing)) == 1


def test_folder_holding_a_bundle_suggests_it(capsys, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    swbn = bundle(dist / "app.swbn")
    _, _, err = run(capsys, [str(dist), "--select", "MAN001"])
    assert f"did you mean {swbn}?" in err
    _, _, err = run(capsys, [str(folder(tmp_path / "app")), "--select", "MAN001"])  # near-miss: a manifest is there
    assert "did you mean" not in err
