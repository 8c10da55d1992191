"""The pre-commit hook on a fresh clone: changed files map to their app, missing configured paths
are skipped with a note, no app gives a hint; and for real through `pre-commit try-repo`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_tree

from auditor.commands.precommit import main

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}


def test_changed_files_are_audited_once_per_app(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, {"web/.well-known/manifest.webmanifest": MANIFEST, "web/index.html": "<script>go()</script>", "web/app.ts": "export {}\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["--select=SCR001", "web/index.html", "web/app.ts"]) == 1
    out = capsys.readouterr().out
    assert out.count("error[SCR001]") == 1


def test_missing_configured_path_is_skipped_with_a_note(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, {".iwa-audit.toml": 'paths = ["dist"]\n', "src/index.html": "x"})
    monkeypatch.chdir(tmp_path)
    assert main(["src/index.html"]) == 0
    err = capsys.readouterr().err
    assert "skipping" in err and "does not exist yet" in err


def test_no_app_prints_a_hint(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, {"notes/readme.html": "x"})
    monkeypatch.chdir(tmp_path)
    assert main(["notes/readme.html"]) == 0
    assert "set `paths`" in capsys.readouterr().err


def test_hook_filter_matches_the_files_we_read():
    import re

    import yaml

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    pattern = re.compile(hook["files"])
    for name in ("a.ts", "b.cjs", "app.swbn", "app.wbn", "ota.zip", "capacitor.config.ts", "index.html", ".iwa-audit.toml"):
        assert pattern.search(name), name
    assert hook["pass_filenames"] is True and hook["entry"] == "iwa-audit-pre-commit"


def test_pre_commit_try_repo_on_a_throwaway_repository(tmp_path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists() or shutil.which("git") is None:
        pytest.skip("pre-commit or git is not installed")
    repo = tmp_path / "app-repo"
    write_tree(repo, {".iwa-audit.toml": 'paths = ["web", "dist"]\nselect = ["SCR001"]\n', "web/.well-known/manifest.webmanifest": MANIFEST, "web/index.html": "<script>go()</script>"})
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    for command in (["git", "init", "-q"], ["git", "add", "."]):
        subprocess.run(command, cwd=repo, env=env, check=True)
    done = subprocess.run([pre_commit, "try-repo", str(ROOT), "iwa-audit", "--all-files"], cwd=repo, env=env, capture_output=True, text=True, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "SCR001" in log and "does not exist yet" in log
