"""Every SARIF we emit validates against the official OASIS schema; URIs are checked separately."""

from __future__ import annotations

import json
from urllib.parse import urlparse

from helpers import audit

from auditor.reporters.sarif import render


def assert_valid_sarif(log: dict, validator) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    for run in log["runs"]:
        for result in run["results"]:
            for loc in result["locations"]:
                artifact = loc["physicalLocation"]["artifactLocation"]
                uri = artifact["uri"]
                parsed = urlparse(uri)
                if parsed.scheme:  # outside the working tree: an absolute file URI, no base
                    assert parsed.scheme == "file" and uri.startswith("file:///") and "uriBaseId" not in artifact, uri
                else:
                    assert uri and not uri.startswith(("/", "../")), uri
                    assert artifact["uriBaseId"] == "%SRCROOT%"
                assert loc["physicalLocation"]["region"]["startLine"] >= 1
        base = run.get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri")
        if base is not None:
            assert base.startswith("file:///") and base.endswith("/")


def test_sarif_of_a_folder_validates_and_points_at_repo_files(app, sarif_validator, monkeypatch):
    path = app({"index.html": "<p>hi</p>"})
    monkeypatch.chdir(path.parent)
    log = json.loads(render(audit(path), base=path.parent))
    assert_valid_sarif(log, sarif_validator)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MAN001"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == "MAN001"
    assert all(isinstance(r["properties"]["security-severity"], str) for r in rules)
