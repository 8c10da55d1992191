"""The release gate: two versions under one key pass; a key change, a tampered bundle, a wrong
manifest version or a downgrade each fail with a message naming the version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import build_wbn, ecdsa_key, ed25519_key, sign, simple_app, web_bundle_id

from auditor.cli import main

KEY = ed25519_key(3)
URL = "https://updates.example.com/chat"


def bundle(folder: Path, name: str, version: str, key=KEY) -> Path:
    manifest = {"name": "Chat", "id": "/", "scope": "/", "start_url": "/", "version": version}
    path = folder / name
    path.write_bytes(sign(build_wbn(simple_app(manifest)), [key]))
    return path


def release(tmp_path: Path, *versions: tuple[str, str], extra: list[str] = (), channels=None) -> tuple[Path, list[str]]:
    entries = [{"version": v, "src": f"{URL}/{n}"} for v, n in versions]
    if channels:
        for entry, chans in zip(entries, channels, strict=False):
            entry["channels"] = chans
    manifest = tmp_path / "update.json"
    manifest.write_text(json.dumps({"versions": entries}), encoding="utf-8")
    return manifest, ["release", str(manifest), "--bundles", str(tmp_path / "dist"), *extra]


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    return folder


def test_two_versions_one_key_pass(tmp_path, dist, capsys):
    bundle(dist, "app-1.0.0.swbn", "1.0.0")
    bundle(dist, "app-1.1.0.swbn", "1.1")
    _, argv = release(tmp_path, ("1.0.0", "app-1.0.0.swbn"), ("1.1.0", "app-1.1.0.swbn"), extra=["--expect-id", web_bundle_id(KEY), "--previous-version", "1.0.0"])
    assert main(argv) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "release gate: passed (2 version(s))" in out
    assert out.count(web_bundle_id(KEY)) == 2


def test_key_change_fails(tmp_path, dist, capsys):
    bundle(dist, "app-1.0.0.swbn", "1.0.0")
    bundle(dist, "app-1.1.0.swbn", "1.1.0", key=ecdsa_key(9))
    _, argv = release(tmp_path, ("1.0.0", "app-1.0.0.swbn"), ("1.1.0", "app-1.1.0.swbn"))
    assert main([*argv, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False
    [problem] = data["problems"]
    assert problem.startswith("bundles carry 2 different Web Bundle IDs")
    assert f"{web_bundle_id(ecdsa_key(9))}: 1.1.0" in problem


def test_tampered_bundle_and_wrong_version_fail(tmp_path, dist, capsys):
    path = bundle(dist, "app-1.0.0.swbn", "1.0.0")
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(bytes(data))
    bundle(dist, "app-1.1.0.swbn", "1.2.0")
    _, argv = release(tmp_path, ("1.0.0", "app-1.0.0.swbn"), ("1.1.0", "app-1.1.0.swbn"), ("1.2.0", "missing.swbn"))
    assert main([*argv, "--format", "json"]) == 1
    versions = {v["version"]: v["problems"] for v in json.loads(capsys.readouterr().out)["versions"]}
    assert versions["1.0.0"][0].startswith("signature check fails")
    assert versions["1.1.0"] == ["the bundle's manifest says version `1.2.0`, the update manifest `1.1.0`: Chrome refuses the update"]
    assert versions["1.2.0"][0].startswith("no bundle in")


def test_channel_below_previous_version_fails(tmp_path, dist, capsys):
    bundle(dist, "a.swbn", "2.0.0")
    bundle(dist, "b.swbn", "1.5.0")
    _, argv = release(tmp_path, ("2.0.0", "a.swbn"), ("1.5.0", "b.swbn"), channels=[["beta"], ["default"]], extra=["--previous-version", "1.6"])
    assert main(argv) == 1
    assert "FAIL channel `default` offers at most 1.5.0, below the previous version 1.6" in capsys.readouterr().out


def test_single_bundle_downgrade_fails_and_upgrade_passes(tmp_path, dist, capsys):
    path = bundle(dist, "a.swbn", "1.0.0")
    assert main(["release", str(path), "--previous-version", "1.0"]) == 1
    assert "version 1.0.0 is not above the previous version 1.0" in capsys.readouterr().out
    assert main(["release", str(path), "--previous-version", "0.9.9"]) == 0


def test_src_cannot_name_a_file_outside_the_bundles_folder(tmp_path, dist, capsys):
    bundle(tmp_path, "secret.swbn", "1.0.0")
    _, argv = release(tmp_path, ("1.0.0", "..%2Fsecret.swbn"))
    assert main(argv) == 1
    assert "no bundle in" in capsys.readouterr().out


def test_unreadable_manifest_exits_2(tmp_path, dist, capsys):
    manifest = tmp_path / "update.json"
    manifest.write_text("{", encoding="utf-8")
    assert main(["release", str(manifest), "--bundles", str(dist)]) == 2
    assert "not strict JSON" in capsys.readouterr().err
