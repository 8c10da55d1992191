"""The command line: exit codes, formats, selection, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from auditor.cli import main


def test_clean_folder_exits_0(app, capsys):
    path = app({".well-known/manifest.webmanifest": {"name": "x"}})
    assert main([str(path), "--select", "MAN001"]) == 0
    assert "no findings" in capsys.readouterr().out


def test_findings_exit_1_and_fail_level_is_respected(app, capsys):
    path = app({"index.html": "<p>"})
    assert main([str(path), "--select", "MAN001"]) == 1
    assert main([str(path), "--select", "MAN001", "--fail-level", "error"]) == 1
    capsys.readouterr()


def test_unreadable_input_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00\x01garbage")
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a Signed Web Bundle" in err and "Traceback" not in err


def test_missing_path_exits_2(tmp_path, capsys):
    assert main([str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_selector_is_a_usage_error(app, capsys):
    assert main([str(app({"a.txt": "x"})), "--select", "NOPE999"]) == 2
    assert "unknown rule selector" in capsys.readouterr().err


def test_json_output_is_stable(app, capsys):
    path = app({"index.html": "<p>"})
    main([str(path), "--format", "json", "--select", "MAN"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    assert [f["rule_id"] for f in doc["findings"]] == ["MAN001"]


def test_python_m_auditor_and_version():
    out = subprocess.run([sys.executable, "-m", "auditor", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("iwa-audit ")


def test_explain_prints_docs(capsys):
    assert main(["--explain", "MAN001"]) == 0
    assert "## Why it matters" in capsys.readouterr().out


def test_help_is_laid_out_as_argparse_lays_it_out(monkeypatch):
    """The formatter that spares shutil sizes --help exactly as argparse's own does, at any width."""
    import argparse

    import auditor.cli as cli

    for columns in ("100", "57", "0", "not-a-number"):
        monkeypatch.setenv("COLUMNS", columns)
        ours = cli.build_parser().format_help()
        monkeypatch.setattr(cli, "help_formatter", lambda: argparse.HelpFormatter)
        assert ours == cli.build_parser().format_help(), columns
        monkeypatch.undo()
    monkeypatch.setenv("COLUMNS", "57")
    narrow = cli.build_parser().format_help()
    monkeypatch.setenv("COLUMNS", "100")
    assert narrow != cli.build_parser().format_help()  # the width is honoured, not fixed


def test_arguments_that_are_all_paths_give_argparses_namespace_without_argparse():
    """`iwa-audit PATH...` skips argparse (~5 ms at start-up); its namespace is exactly what argparse gives."""
    import argparse

    import auditor.cli as cli

    assert cli.SUPPRESS == argparse.SUPPRESS
    for argv in ([], ["app"], ["dist", "b c.swbn", "", "inspect"]):
        fast = cli.plain_paths(argv)
        assert fast is not None and vars(fast) == vars(cli.build_parser().parse_args(argv)), argv
    for argv in (["-"], ["app", "--select", "SCR"], ["--", "app"], ["-q", "app"], ["app", "-1"]):
        assert cli.plain_paths(argv) is None, argv  # options, `--` and standard input go through argparse


def test_an_argument_declared_in_a_way_the_fast_path_does_not_read_turns_it_off():
    import auditor.cli as cli

    for flags, options in ((("-v", "--verbose"), {"action": "count"}), (("--depth",), {"type": int, "default": "3"}), (("more",), {"nargs": "+"})):
        defaults = cli.Defaults()
        defaults.add_argument("path", nargs="*")
        defaults.add_argument(*flags, **options)
        assert not defaults.understood, flags
