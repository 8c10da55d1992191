"""Microsoft's SARIF validator (`@microsoft/sarif-multitool`) with the GitHub rule set, for tests that have npm.

Installed once into a temporary folder that later sessions reuse; a test
skips (with the reason) only when npm is absent or cannot reach the registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

VERSION = "5"


def multitool() -> list[str]:
    """The validator's command, or a skip when npm cannot provide it."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch @microsoft/sarif-multitool")
    folder = Path(tempfile.gettempdir()) / "iwa-audit-sarif-multitool"
    binary = folder / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    if not binary.exists():
        folder.mkdir(exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), f"@microsoft/sarif-multitool@{VERSION}"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"npm could not install @microsoft/sarif-multitool: {done.stderr[-300:]}")
    if not binary.exists():
        pytest.skip("@microsoft/sarif-multitool has no Linux binary for this machine")
    binary.chmod(0o755)
    return [str(binary)]


def github_rule_results(logs: list[Path], work: Path, *, levels: tuple[str, ...] = ("error",)) -> list[str]:
    """`validate --rule-kind Sarif;Ghas` over the logs: its results at `levels`, as "file: rule: arguments" lines."""
    report = work / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    done = subprocess.run([*multitool(), "validate", *map(str, logs), "--rule-kind", "Sarif;Ghas", "--level", "Error;Warning", "--output", str(report), "--log", "ForceOverwrite"], capture_output=True, text=True, env=env, check=False)
    assert report.is_file(), done.stdout[:800] + done.stderr[-800:]
    found = json.loads(report.read_text(encoding="utf-8"))["runs"][0]["results"]
    out = []
    for result in found:
        if result.get("level", "warning") in levels:
            where = result.get("locations", [{}])[0].get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "?")
            out.append(f"{Path(where).name}: {result['ruleId']}: {result['message'].get('arguments')}")
    return out
