"""The sdist carries the package and its docs, and no half of the test suite (issue 17 item 7)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_sdist_leaves_the_tests_out_and_keeps_the_package(tmp_path):
    pytest.importorskip("build", reason="the `build` package (test extras) makes the sdist as PyPA tools do")
    done = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0 and "Could not find a version" in done.stdout + done.stderr:
        pytest.skip("no package index reachable for the isolated build environment")
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    [name] = [p.name for p in tmp_path.glob("*.tar.gz")]
    with tarfile.open(tmp_path / name) as archive:
        members = [m.split("/", 1)[1] for m in archive.getnames() if "/" in m]
    assert not [m for m in members if m.startswith(("tests/", "benchmarks/", "fuzz/"))]
    assert "auditor/engine/pipeline.py" in members and "rules/bundle.py" in members
    assert "README.md" in members and any(m.startswith("docs/rules/") for m in members)
