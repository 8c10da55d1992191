"""The GitHub Action's audit step (see ../action.yml).

Every input arrives in an environment variable and reaches iwa-audit as one
argv element, never as shell text, so a path with spaces or a crafted input
cannot turn into a command. The action's own options come first and the
user's `args` last: argparse keeps the last value, so the user always wins.
Upload is turned off, with a notice, where GitHub gives a read-only token
(pull requests from forks and from Dependabot).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_review", "pull_request_review_comment")


def escape(text: str) -> str:
    """Workflow-command data escaping (GitHub docs, "Workflow commands")."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def notice(kind: str, text: str) -> None:
    sys.stdout.write(f"::{kind}::{escape(text)}\n")
    sys.stdout.flush()


def set_output(name: str, value: str, env: Mapping[str, str]) -> None:
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as stream:
        stream.write(f"{name}={value.replace(chr(10), ' ').replace(chr(13), ' ')}\n")


def upload_refusal(env: Mapping[str, str]) -> str | None:
    """Why the upload must be skipped, or None when it may run."""
    event = env.get("EVENT_NAME", "")
    if event in PULL_REQUEST_EVENTS:
        head, repository = env.get("HEAD_REPO", ""), env.get("REPOSITORY", "")
        if head and repository and head != repository:
            return (
                f"SARIF upload skipped: this pull request comes from the fork {head}, and GitHub gives such runs a "
                "read-only token (no security-events: write). The findings are in this log and in the SARIF file; "
                "they reach code scanning when the change is audited on the base repository (push or merge)."
            )
        if env.get("ACTOR") == "dependabot[bot]":
            return "SARIF upload skipped: Dependabot pull requests get a read-only token (no security-events: write)."
    return None


def option_value(args: Sequence[str], names: tuple[str, ...]) -> str | None:
    """The last value given for an option (`--name VALUE` or `--name=VALUE`)."""
    found = None
    for i, arg in enumerate(args):
        if arg in names and i + 1 < len(args):
            found = args[i + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(name + "="):
                found = arg[len(name) + 1 :]
    return found


def command(env: Mapping[str, str]) -> tuple[list[str], str]:
    """The iwa-audit argv and the SARIF path it writes. Raises ValueError on unbalanced quotes in `args`."""
    paths = [line.strip() for line in env.get("INPUT_PATHS", "").splitlines() if line.strip()]
    extra = shlex.split(env.get("INPUT_ARGS", ""))
    sarif = env.get("SARIF_FILE") or "iwa-audit.sarif"
    argv = [sys.executable, "-m", "auditor", "--output", sarif, "--output-format", "sarif"]
    if env.get("CATEGORY"):
        argv += ["--sarif-category", env["CATEGORY"]]
    argv += extra
    if paths:
        argv += ["--", *paths]
    return argv, option_value(extra, ("-o", "--output")) or sarif


def main(env: Mapping[str, str] = os.environ) -> int:
    try:
        argv, sarif = command(env)
    except ValueError as error:
        notice("error", f"iwa-audit action: the `args` input cannot be split: {error}")
        set_output("exit-code", "2", env)
        set_output("upload", "false", env)
        return 0
    code = subprocess.run(argv, check=False).returncode
    set_output("exit-code", str(code), env)
    set_output("sarif-file", sarif, env)
    upload = env.get("UPLOAD", "true").strip().lower() in ("true", "1", "yes")
    if upload:
        refusal = upload_refusal(env)
        if refusal:
            notice("notice", refusal)
            upload = False
        elif not Path(sarif).is_file():
            notice("warning", f"SARIF upload skipped: iwa-audit wrote no {sarif} (exit code {code}); see the messages above.")
            upload = False
    set_output("upload", "true" if upload else "false", env)
    return 0  # the action's last step fails the job with the recorded exit code, after the upload


if __name__ == "__main__":
    sys.exit(main())
