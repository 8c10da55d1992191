"""Interop: a real Capacitor project made by the official CLI (`npx cap init`, `cap add android|ios`), audited.

The npm packages ship the native templates; `cap add` needs no Android SDK,
Xcode or CocoaPods (it skips those steps). Capacitor 7 is pinned because
Capacitor 8's CLI needs Node 22; the Capgo updater 7.x line is the one for it.
Skipped only when npm is absent; an install failure is a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import audit_lines

CAPACITOR = "7.6.9"
UPDATER = "7.51.21"
APP_JS = "import { CapacitorUpdater } from '@capgo/capacitor-updater';\nCapacitorUpdater.notifyAppReady();\n"
CAPGO = (
    "`plugin.capgo.app` (from `plugins.CapacitorUpdater.updateUrl (default)`, "
    "`plugins.CapacitorUpdater.statsUrl (default)`, `plugins.CapacitorUpdater.channelUrl (default)`)"
)

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: the interop test needs the official Capacitor CLI and templates")


def run(args: list[str], cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def real_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cap-project")
    run(["npm", "init", "-y"], root)
    packages = [f"@capacitor/{p}@{CAPACITOR}" for p in ("cli", "core", "android", "ios")] + [f"@capgo/capacitor-updater@{UPDATER}"]
    run(["npm", "install", "--no-audit", "--no-fund", "--silent", *packages], root)
    (root / "www").mkdir()
    (root / "www" / "index.html").write_text('<!doctype html>\n<html><head><title>App</title></head><body><script type="module" src="app.js"></script></body></html>\n')
    (root / "www" / "app.js").write_text(APP_JS)
    run(["npx", "cap", "init", "App", "com.example.app", "--web-dir", "www"], root)
    run(["npx", "cap", "add", "android"], root)
    run(["npx", "cap", "add", "ios"], root)
    return root


def test_the_cli_made_what_we_audit(real_project):
    assert (real_project / "android/app/src/main/AndroidManifest.xml").is_file()
    assert (real_project / "ios/App/App/Info.plist").is_file()
    assert json.loads((real_project / "capacitor.config.json").read_text())["webDir"] == "www"


def test_defaults_get_only_the_findings_they_deserve(real_project):
    lines = audit_lines(real_project)
    assert lines == [
        # The template's manifest has no network security config, so nothing pins Capgo's
        # default update host (`@capgo/capacitor-updater` is a dependency, the config sets no
        # URL, so updateUrl/statsUrl/channelUrl are Capgo's defaults on plugin.capgo.app).
        # A note: bundles can still be signed with `publicKey`; pinning is Capgo's advice.
        f"NAT006 note /android/app/src/main/AndroidManifest.xml:4:5 no pin-set covers the updater host {CAPGO}",
        # The template's Info.plist has no NSAppTransportSecurity at all: ATS is on with its
        # defaults (so no NAT007-NAT009), but nothing pins the update host either.
        f"NAT011 note /ios/App/App/Info.plist no NSPinnedDomains entry covers the updater host {CAPGO}",
    ]
    # Not reported, because the defaults are right: no cleartext (targetSdk 35 denies it and
    # nothing opts in), no user CAs, not debuggable, no private key in the tree, and the web
    # build has index.html at its root and calls notifyAppReady().


def test_a_hardened_copy_is_clean(real_project, tmp_path):
    copy = tmp_path / "hardened"
    shutil.copytree(real_project, copy, ignore=shutil.ignore_patterns("node_modules"), symlinks=True)
    (copy / "package.json").write_text(json.dumps({"dependencies": {}}))  # no updater: no update host to pin
    assert audit_lines(copy) == []
