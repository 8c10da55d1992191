"""Limits: one place, configurable from the CLI, and each breach a finding that names the limit."""

from __future__ import annotations

import json

import pytest
from helpers import audit_lines

from auditor.cli import main
from auditor.engine.limits import DEFAULT_LIMITS, parse_limit


def test_parse_limit_accepts_suffixes():
    assert parse_limit("max_text_resource_bytes=128M") == ("max_text_resource_bytes", 128 * 1024**2)
    assert parse_limit("max_resources = 10") == ("max_resources", 10)


@pytest.mark.parametrize("text", ["max_resources", "max_resources=ten", "max_resources=\u0663"])
def test_parse_limit_rejects_bad_text(text):
    with pytest.raises(ValueError):
        parse_limit(text)


def test_unknown_limit_is_named():
    with pytest.raises(ValueError, match="unknown limit `max_foo`"):
        DEFAULT_LIMITS.with_overrides({"max_foo": 1})


def test_cli_rejects_unknown_limit_with_exit_2(app, capsys):
    root = app({"index.html": "<p>hi</p>"})
    assert main([str(root), "--limit", "max_foo=1"]) == 2
    assert "unknown limit `max_foo`" in capsys.readouterr().err


def test_aud003_flags_text_resource_over_the_limit(app, capsys):
    root = app({"index.html": "<p>hi</p>", "big.js": "x" * 2000, ".well-known/manifest.webmanifest": {"name": "a"}})
    assert main([str(root), "--limit", "max_text_resource_bytes=1K", "--select", "AUD", "--format", "json"]) == 2

    findings = json.loads(capsys.readouterr().out)["findings"]
    # a folder finding points at the file itself
    assert [(f["rule_id"], f["level"], f["path"]) for f in findings] == [("AUD003", "error", str(root / "big.js"))]
    assert "max_text_resource_bytes" in findings[0]["message"]


def test_aud003_allows_resource_under_the_limit(app):
    root = app({"index.html": "<p>hi</p>", "big.js": "x" * 2000})
    assert [ln for ln in audit_lines(root, "AUD003")] == []


def test_resource_count_limit_breach_exits_2_naming_the_limit(app, capsys):
    root = app({f"f{i}.txt": "x" for i in range(5)})
    assert main([str(root), "--limit", "max_resources=3"]) == 2
    captured = capsys.readouterr()
    assert "max_resources" in captured.out + captured.err
