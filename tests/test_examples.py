"""The examples the README runs: the committed .swbn is what the build script makes, and both audit clean."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from auditor.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE_ID = "dmgnqho3azfuobfmtrfkslfhfuxwagj4ispb5evqu4yhsjf3drlaaaic"


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_example", EXAMPLES / "build_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_committed_example_bundle_is_reproducible():
    data, app_id = load_build_script().build()
    assert app_id == EXAMPLE_ID
    assert (EXAMPLES / "app.swbn").read_bytes() == data, "run `python examples/build_example.py` and commit examples/app.swbn"


def test_example_bundle_audits_clean_with_its_pinned_id(capsys):
    assert main([str(EXAMPLES / "app.swbn"), "--expect-id", EXAMPLE_ID, "--fail-level", "note"]) == 0
    assert "no findings" in capsys.readouterr().out


def test_example_folder_audits_clean(capsys):
    assert main([str(EXAMPLES / "app"), "--fail-level", "note"]) == 0
    assert "no findings" in capsys.readouterr().out
