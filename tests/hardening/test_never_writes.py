"""Auditing hostile inputs never writes, extracts, executes or connects.

Each input is audited by the real CLI in a subprocess under an audit hook
(sandbox_probe.py). The inputs sit in a folder made read-only, and the test
also compares a snapshot of that folder before and after.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("sandbox_probe.py")


def hostile_inputs(root: Path) -> dict[str, Path]:
    """Inputs that try to make an auditor act: scripts, remote URLs, traversal names, garbage."""
    app = root / "app"
    (app / ".well-known").mkdir(parents=True)
    (app / "index.html").write_text(
        '<script>fetch("http://127.0.0.1:9/x"); new Image().src="http://127.0.0.1:9/y"</script>'
        '<img src="http://127.0.0.1:9/z"><iframe src="https://127.0.0.1:9/"></iframe>'
        '<link rel="stylesheet" href="https://127.0.0.1:9/a.css"><base href="file:///etc/">',
        encoding="utf-8",
    )
    (app / "app.js").write_text('import("https://127.0.0.1:9/m.js"); require("child_process").exec("touch /tmp/pwned")', encoding="utf-8")
    (app / ".well-known" / "manifest.webmanifest").write_text(
        json.dumps({"name": "x", "update_manifest_url": "http://127.0.0.1:9/u.json", "icons": [{"src": "../../../../etc/passwd"}]}),
        encoding="utf-8",
    )
    update = root / "update.json"
    update.write_text(json.dumps({"versions": [{"version": "1.0.0", "src": "http://127.0.0.1:9/a.swbn"}]}), encoding="utf-8")
    garbage = root / "garbage.json"
    garbage.write_bytes(b'{"versions": [' * 5000 + b"\xff" * 64)
    inputs = {"folder": app, "update-manifest": update, "garbage": garbage}
    from builders import hostile_fixtures
    from zipcraft import hostile_ota_fixtures

    inputs.update(hostile_fixtures(root))

    inputs.update(hostile_ota_fixtures(root))
    return inputs


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_audits_never_write_connect_or_spawn(tmp_path: Path, fmt: str):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    inputs = hostile_inputs(fixtures)
    before = snapshot(fixtures)
    for path in [*fixtures.rglob("*"), fixtures]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    try:
        for name, path in inputs.items():
            output = out_dir / f"{name}.{fmt}"
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "IWA_PROBE_ALLOWED_OUTPUT": str(output)}
            proc = subprocess.run(
                [sys.executable, str(PROBE), str(path), "--format", fmt, "--output", str(output)],
                capture_output=True, text=True, cwd=out_dir, env=env, timeout=120,
            )
            marker = proc.stderr.rsplit("PROBE-EVENTS ", 1)
            assert len(marker) == 2, f"{name}: probe did not finish: {proc.stderr[-2000:]}"
            events = json.loads(marker[1])
            assert events == [], f"{name}: forbidden side effects: {events}"
            assert proc.returncode in (0, 1, 2), (name, proc.returncode, proc.stderr[-500:])
            assert "Traceback" not in proc.stderr, proc.stderr
            assert sorted(p.name for p in out_dir.iterdir() if p.is_file()) == sorted(f"{n}.{fmt}" for n in list(inputs)[: list(inputs).index(name) + 1])
    finally:
        for path in [fixtures, *fixtures.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert snapshot(fixtures) == before
    assert not Path("/tmp/pwned").exists()
