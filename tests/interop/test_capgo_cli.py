"""Interop with the real Capgo CLI: zips from `bundle zip --json`, keys from `key create`,
encrypted checksums from `bundle encrypt` audit clean with the values the CLI printed.

The CLI is installed (pinned) into a temporary folder once per session. The
project declares `@capgo/capacitor-updater` 8.51.23 (a stub package.json in
`node_modules`), so the CLI picks what it picks for an 8.x app: SHA-256 and
the V3 (hex) encrypted checksum. The tests skip only when `npm` is absent; an
install failure is a failure, since CI has npm and must run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import audit_lines

from auditor.readers.capacitor_config import load_document

CLI_VERSION = "8.68.1"
UPDATER_VERSION = "8.51.23"

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: the interop tests need the official @capgo/cli")


@pytest.fixture(scope="session")
def capgo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("capgo-cli")
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder), f"@capgo/cli@{CLI_VERSION}"],
        check=True, capture_output=True, timeout=300,
    )
    return folder / "node_modules" / ".bin" / "capgo"


def run(capgo: Path, project: Path, *args: str) -> str:
    done = subprocess.run(
        [str(capgo), *args], cwd=project, check=True, capture_output=True, text=True, timeout=180,
        stdin=subprocess.DEVNULL, env={**os.environ, "CI": "1", "CAPGO_NO_TELEMETRY": "1"},
    )
    return done.stdout


def json_out(text: str) -> dict:
    """The JSON object the CLI printed (after any warning lines)."""
    return json.loads(text[text.index("{") : text.rindex("}") + 1])


@pytest.fixture(scope="session")
def project(capgo, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("capgo-app")
    (root / "dist").mkdir()
    (root / "dist" / "index.html").write_text('<!doctype html><script type="module" src="app.js"></script>\n', encoding="utf-8")
    (root / "dist" / "app.js").write_text('import { CapacitorUpdater } from "@capgo/capacitor-updater";\nCapacitorUpdater.notifyAppReady();\n', encoding="utf-8")
    (root / "package.json").write_text(json.dumps({"name": "demo", "version": "1.0.0", "dependencies": {"@capgo/capacitor-updater": UPDATER_VERSION}}), encoding="utf-8")
    stub = root / "node_modules" / "@capgo" / "capacitor-updater"
    stub.mkdir(parents=True)
    (stub / "package.json").write_text(json.dumps({"name": "@capgo/capacitor-updater", "version": UPDATER_VERSION}), encoding="utf-8")
    (root / "capacitor.config.json").write_text(json.dumps({"appId": "com.example.demo", "appName": "demo", "webDir": "dist"}, indent=2), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def zipped(capgo, project) -> tuple[Path, str]:
    out = json_out(run(capgo, project, "bundle", "zip", "com.example.demo", "--path", "dist", "--bundle", "1.0.0", "--json"))
    return project / out["filename"], out["checksum"]


def test_a_cli_zip_audits_clean_with_its_checksum(zipped):
    path, checksum = zipped
    assert len(checksum) == 64 and checksum == checksum.lower()
    assert audit_lines(path, "OTA", settings=dict(checksum=checksum, app_version="1.0.0")) == []


def test_a_cli_zip_with_another_checksum_is_flagged(zipped):
    path, checksum = zipped
    other = ("0" if checksum[0] != "0" else "1") + checksum[1:]
    assert [line.split(" ", 2)[0] for line in audit_lines(path, "OTA012", settings=dict(checksum=other))] == ["OTA012"]


def test_cli_keys_and_encrypted_checksum_audit_clean(capgo, project, zipped):
    path, checksum = zipped
    run(capgo, project, "key", "create", "--force")
    config_path = project / "capacitor.config.json"
    config = load_document(config_path)[0].value
    assert config["plugins"]["CapacitorUpdater"]["publicKey"].startswith("-----BEGIN RSA PUBLIC KEY-----")
    assert audit_lines(config_path, "OTA022,OTA023") == []
    encrypted = json_out(run(capgo, project, "bundle", "encrypt", str(path), checksum, "--json"))
    settings = dict(checksum=encrypted["checksum"], capacitor_config=config)
    assert audit_lines(path, "OTA012,OTA013", settings=settings) == []
    response = project / "update.json"
    response.write_text(json.dumps({"version": "1.0.0", "url": "https://cdn.example.com/1.0.0.zip", "checksum": encrypted["checksum"], "session_key": encrypted["ivSessionKey"]}), encoding="utf-8")
    assert audit_lines(response, "OTA", settings=dict(capacitor_config=config)) == []
    tampered = dict(checksum=encrypted["checksum"][:-2] + ("00" if encrypted["checksum"][-2:] != "00" else "11"), capacitor_config=config)
    assert [line.split(" ", 2)[0] for line in audit_lines(path, "OTA012", settings=tampered)] == ["OTA012"]
