"""Configuration found like ruff finds its own: walk up, [tool.iwa-audit] only, --isolated."""

from __future__ import annotations

import pytest
from helpers import write_tree

from auditor.cli import main
from auditor.engine.config import ConfigError, find_config, load_config

APP = {"index.html": "<!doctype html><script>go()</script>"}


def test_walks_up_from_the_audited_path_to_the_first_config(tmp_path):
    write_tree(tmp_path, {".iwa-audit.toml": 'select = ["SCR001"]\n', "web/app/index.html": "x"})
    assert find_config(tmp_path / "web" / "app") == tmp_path / ".iwa-audit.toml"
    assert find_config(tmp_path / "web" / "app" / "index.html") == tmp_path / ".iwa-audit.toml"


def test_a_pyproject_that_only_mentions_iwa_audit_is_not_config(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndescription = "uses iwa-audit"\n', "app/index.html": "x"})
    assert find_config(tmp_path / "app") is None
    (tmp_path / "pyproject.toml").write_text('[tool.iwa-audit]\nfail-level = "error"\n', encoding="utf-8")
    assert find_config(tmp_path / "app") == tmp_path / "pyproject.toml"


def test_dot_file_accepts_top_level_keys_or_a_tool_table(tmp_path):
    flat = tmp_path / "a" / ".iwa-audit.toml"
    table = tmp_path / "b" / ".iwa-audit.toml"
    write_tree(tmp_path, {"a/.iwa-audit.toml": 'paths = ["dist"]\n', "b/.iwa-audit.toml": '[tool.iwa-audit]\npaths = ["dist"]\n'})
    assert load_config(flat).paths() == [flat.parent / "dist"] == [p.parent.parent / "a" / "dist" for p in [flat]]
    assert load_config(table).paths() == [table.parent / "dist"]
    (tmp_path / "c.toml").write_text('paths = ["x"]\n[tool.iwa-audit]\npaths = ["y"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not both"):
        load_config(tmp_path / "c.toml")


def test_config_above_the_app_applies_and_isolated_ignores_it(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path / "repo", {".iwa-audit.toml": 'ignore = ["SCR001"]\n', **{f"web/dist/{k}": v for k, v in APP.items()}})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = str(tmp_path / "repo" / "web" / "dist")
    main([target, "--select", "SCR"])
    assert "SCR001" not in capsys.readouterr().out
    main([target, "--select", "SCR", "--isolated"])
    assert "SCR001" in capsys.readouterr().out
