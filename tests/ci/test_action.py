"""The composite action: safe by construction (zizmor, pins, no expressions in shell text), and
its audit step run locally as a runner would, with a path holding a space."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import write_tree

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {step["name"]: step for step in ACTION["runs"]["steps"]}


def test_zizmor_finds_nothing():
    zizmor = shutil.which("zizmor") or (str(Path(sys.executable).with_name("zizmor")) if Path(sys.executable).with_name("zizmor").exists() else None)
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor): the action's static audit did not run")
    done = subprocess.run([zizmor, "--offline", "--format", "plain", str(ROOT / "action.yml")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_inputs_reach_shell_only_through_env_and_actions_are_pinned():
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert re.search(r"upload-sarif@[0-9a-f]{40} # v4\.\d+\.\d+", text) and re.search(r"setup-python@[0-9a-f]{40} # v\d+\.\d+\.\d+", text)
    assert STEPS["Upload SARIF"]["if"] == "always() && steps.audit.outputs.upload == 'true'"
    assert STEPS["Set up Python"]["if"] == "steps.python.outputs.setup == 'true'"


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def run_audit_step(workspace: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """The 'Run iwa-audit' step exactly as written, with its env: mapping filled in."""
    github_output = workspace / ".github-output"
    github_output.write_text("", encoding="utf-8")
    env = {key: "" for key in STEPS["Run iwa-audit"]["env"]}
    env.update(IWA_PYTHON=sys.executable, SARIF_FILE="iwa-audit.sarif", UPLOAD="true", EVENT_NAME="push", REPOSITORY="me/app")
    env.update({k.upper(): v for k, v in inputs.items()})
    full = {**os.environ, **env, "GITHUB_OUTPUT": str(github_output), "GITHUB_ACTION_PATH": str(ROOT)}
    done = subprocess.run(["bash", "-c", STEPS["Run iwa-audit"]["run"]], cwd=workspace, env=full, capture_output=True, text=True, check=False)
    return done, outputs(github_output)


@pytest.fixture
def workspace(tmp_path):
    write_tree(tmp_path / "my app", {
        ".well-known/manifest.webmanifest": {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"},
        "index.html": "<!doctype html><script>go()</script>",
    })
    return tmp_path


def test_audit_step_writes_sarif_for_a_path_with_a_space_and_records_the_exit_code(workspace):
    done, out = run_audit_step(workspace, input_paths="my app\n", input_args="--select SCR001 --fail-level error", category="chat")
    assert done.returncode == 0, done.stderr
    assert out["exit-code"] == "1" and out["upload"] == "true" and out["sarif-file"] == "iwa-audit.sarif"
    sarif = (workspace / "iwa-audit.sarif").read_text(encoding="utf-8")
    assert '"ruleId": "SCR001"' in sarif and '"id": "chat/"' in sarif
    assert "SCR001" in done.stdout  # the text report is in the log


def test_user_args_come_last_and_win(workspace):
    _, out = run_audit_step(workspace, input_paths="my app", input_args="--select SCR001 --output 'custom report.sarif' --exit-zero")
    assert out["exit-code"] == "0" and out["sarif-file"] == "custom report.sarif"
    assert (workspace / "custom report.sarif").is_file() and not (workspace / "iwa-audit.sarif").exists()


def test_fork_pull_requests_skip_the_upload_with_a_notice(workspace):
    done, out = run_audit_step(workspace, input_paths="my app", input_args="--select SCR001", event_name="pull_request", head_repo="stranger/app")
    assert out["upload"] == "false"
    assert "::notice::SARIF upload skipped" in done.stdout and "fork stranger/app" in done.stdout


def test_upload_toggle_and_unbalanced_quotes(workspace):
    _, out = run_audit_step(workspace, input_paths="my app", upload="false")
    assert out["upload"] == "false"
    done, out = run_audit_step(workspace, input_paths="my app", input_args="--expect-id 'oops")
    assert out["exit-code"] == "2" and "::error::" in done.stdout


def test_fail_step_exits_with_the_recorded_code():
    script = STEPS["Fail on findings"]["run"]
    for code in ("0", "1", "2"):
        assert subprocess.run(["bash", "-c", script], env={**os.environ, "EXIT_CODE": code}, check=False).returncode == int(code)
    assert subprocess.run(["bash", "-c", script], env={**os.environ, "EXIT_CODE": ""}, check=False).returncode == 2


def test_python_probe_step_says_whether_setup_python_is_needed(tmp_path):
    out = tmp_path / "out"
    out.write_text("", encoding="utf-8")
    subprocess.run(["bash", "-c", STEPS["Look for Python 3.11 or newer"]["run"]], env={**os.environ, "GITHUB_OUTPUT": str(out)}, check=True)
    expected = "false" if shutil.which("python3") and sys.version_info >= (3, 11) else None
    if expected:
        assert outputs(out)["setup"] in ("true", "false")
