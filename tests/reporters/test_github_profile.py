"""SARIF that GitHub code scanning accepts on the first upload: the official schema, plus the
properties GitHub requires or reads (GitHub docs: "SARIF support for code scanning"), checked one by one."""

from __future__ import annotations

import json
import re

from builders import build_wbn, ed25519_key, sign
from helpers import write_tree
from test_sarif import assert_valid_sarif

from auditor.cli import main

LEVELS = {"none", "note", "warning", "error"}
PRECISIONS = {"very-high", "high", "medium", "low"}


def github_profile_problems(log: dict) -> list[str]:
    problems = []
    if not log.get("$schema") or log.get("version") != "2.1.0":
        problems.append("log needs $schema and version 2.1.0")
    if len(log.get("runs", [])) != 1:
        problems.append("one run per upload")
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        if not driver.get("name") or not (driver.get("semanticVersion") or driver.get("version")):
            problems.append("driver name and version")
        if "results" not in run:
            problems.append("run.results is required, even empty")
        if "automationDetails" in run and not re.fullmatch(r"[^/]+(/[^/]*)*/?", run["automationDetails"].get("id", "")):
            problems.append("automationDetails.id category/run")
        rules = driver.get("rules", [])
        for rule in rules:
            rid = rule.get("id", "?")
            if not rule.get("id") or not rule.get("name") or len(rule["name"]) > 255:
                problems.append(f"{rid}: id and name (<= 255)")
            for key in ("shortDescription", "fullDescription"):
                text = rule.get(key, {}).get("text", "")
                if not text or len(text) > 1024:
                    problems.append(f"{rid}: {key}.text 1..1024 chars")
            if not rule.get("help", {}).get("text") or not rule["help"].get("markdown"):
                problems.append(f"{rid}: help.text and help.markdown")
            if rule.get("defaultConfiguration", {}).get("level") not in LEVELS:
                problems.append(f"{rid}: defaultConfiguration.level")
            props = rule.get("properties", {})
            severity = props.get("security-severity")
            if not isinstance(severity, str) or not 0.0 <= float(severity) <= 10.0:
                problems.append(f"{rid}: security-severity must be a string 0.0-10.0")
            if props.get("precision") not in PRECISIONS or not isinstance(props.get("tags"), list):
                problems.append(f"{rid}: precision and tags")
        for result in run.get("results", []):
            rule = rules[result["ruleIndex"]] if 0 <= result.get("ruleIndex", -1) < len(rules) else None
            if rule is None or rule["id"] != result.get("ruleId"):
                problems.append(f"result ruleIndex/ruleId mismatch: {result.get('ruleId')}")
            if result.get("level") not in LEVELS or not result.get("message", {}).get("text"):
                problems.append("result level and message.text")
            locations = result.get("locations", [])
            if not locations or "physicalLocation" not in locations[0]:
                problems.append("result needs a physical location")
                continue
            physical = locations[0]["physicalLocation"]
            uri = physical["artifactLocation"].get("uri", "")
            if not uri or ("://" in uri and not uri.startswith("file:///")) or uri.startswith("/"):
                problems.append(f"uri must be repo-relative or an absolute file URI: {uri}")
            if uri.startswith("file:") == ("uriBaseId" in physical["artifactLocation"]):
                problems.append(f"relative URIs need %SRCROOT%, absolute ones no base: {uri}")
            region = physical.get("region", {})
            if not isinstance(region.get("startLine"), int) or region["startLine"] < 1:
                problems.append("region needs startLine (GH1003)")
            if not isinstance(result.get("partialFingerprints"), dict):
                problems.append("partialFingerprints")
    return problems


def test_folder_and_bundle_sarif_pass_the_schema_and_the_github_profile(tmp_path, capsys, monkeypatch, sarif_validator):
    manifest = {"name": "A", "id": "/chat/", "version": "01.0", "permissions_policy": {"camera": ["*"]}}
    write_tree(tmp_path / "dist", {
        ".well-known/manifest.webmanifest": manifest,
        "index.html": '<script>go()</script><img src="https://cdn.example/a.png">',
        "app.js": "el.innerHTML = '';\nnavigator.serial;\n",
    })
    files = {"": "<script>x()</script>", "app.js": "eval('1')", ".well-known/manifest.webmanifest": manifest}
    (tmp_path / "app.swbn").write_bytes(sign(build_wbn(files), [ed25519_key(6)]))
    monkeypatch.chdir(tmp_path)
    for target in ("dist", "app.swbn"):
        assert main([target, "--format", "sarif"]) == 1
        log = json.loads(capsys.readouterr().out)
        assert_valid_sarif(log, sarif_validator)
        assert log["runs"][0]["results"], target
        assert github_profile_problems(log) == [], target


def test_the_profile_check_catches_what_github_rejects():
    log = {"$schema": "x", "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "t", "version": "1", "rules": [{
            "id": "X001", "name": "x", "shortDescription": {"text": "s"}, "fullDescription": {"text": "f"},
            "help": {"text": "h", "markdown": "h"}, "defaultConfiguration": {"level": "error"},
            "properties": {"security-severity": 7.5, "precision": "high", "tags": []}}]}},
        "automationDetails": {"id": "iwa-audit/"},
    }]}
    problems = github_profile_problems(log)
    assert "run.results is required, even empty" in problems and "X001: security-severity must be a string 0.0-10.0" in problems
