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
        for entry, chans in zip(entries, channels, strict=True):
            entry["channels"] = chans
    manifest = tmp_path / "update.json"
    manifest.write_text(json.dumps({"versions": entries}), encoding="utf-8")
    return manifest, ["release", str(manifest), "--bundles", str(tmp_path / "dist"), "--update-url", f"{URL}/update.json", *extra]


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
    assert versions["1.0.0"][0].startswith("Chrome refuses to install it: SIG005: signature 0 (ed25519")
    assert versions["1.1.0"] == ["the bundle's manifest says version `1.2.0`, the update manifest `1.1.0`: Chrome refuses the update"]
    assert versions["1.2.0"] == [f"no bundle {tmp_path / 'dist' / 'missing.swbn'} for `src` {URL}/missing.swbn"]


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
    assert f"`src` {URL}/..%2Fsecret.swbn does not name a file under" in capsys.readouterr().out


def test_unreadable_manifest_exits_2(tmp_path, dist, capsys):
    manifest = tmp_path / "update.json"
    manifest.write_text("{", encoding="utf-8")
    assert main(["release", str(manifest), "--bundles", str(dist)]) == 2
    assert "not strict JSON" in capsys.readouterr().err


def write_manifest(tmp_path: Path, entries: list[dict]) -> Path:
    manifest = tmp_path / "update.json"
    manifest.write_text(json.dumps({"versions": entries}), encoding="utf-8")
    return manifest


def test_src_maps_by_url_path_relative_to_the_manifest_not_by_base_name(tmp_path, dist, capsys):
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        (dist / f"v{version}").mkdir()
        bundle(dist / f"v{version}", "app.swbn", version)
    manifest = write_manifest(tmp_path, [{"version": v, "src": f"v{v}/app.swbn"} for v in ("1.0.0", "1.1.0", "1.2.0")])
    assert main(["release", str(manifest), "--bundles", str(dist), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["bundle"] for v in data["versions"]] == [str(dist / f"v{v}" / "app.swbn") for v in ("1.0.0", "1.1.0", "1.2.0")]


def test_three_versions_ending_in_app_swbn_are_checked_against_their_own_files(tmp_path, dist, capsys):
    for version in ("1.0.0", "1.1.0"):
        (dist / version).mkdir()
        bundle(dist / version, "app.swbn", version)
    (dist / "app.swbn").write_bytes(b"")  # a same-named file at the top must not be picked
    manifest = write_manifest(tmp_path, [{"version": v, "src": f"{URL}/{v}/app.swbn"} for v in ("1.0.0", "1.1.0", "1.2.0")])
    assert main(["release", str(manifest), "--bundles", str(dist), "--update-url", f"{URL}/update.json", "--format", "json"]) == 1
    versions = {v["version"]: v for v in json.loads(capsys.readouterr().out)["versions"]}
    assert versions["1.0.0"]["problems"] == [] and versions["1.1.0"]["problems"] == []
    assert versions["1.2.0"]["problems"] == [f"no bundle {dist / '1.2.0' / 'app.swbn'} for `src` {URL}/1.2.0/app.swbn"]


def test_two_entries_mapping_to_one_file_is_an_error_naming_both(tmp_path, dist, capsys):
    bundle(dist, "app.swbn", "1.0.0")
    manifest = write_manifest(tmp_path, [{"version": "1.0.0", "src": "app.swbn"}, {"version": "1.1.0", "src": "./app.swbn"}])
    assert main(["release", str(manifest), "--bundles", str(dist), "--format", "json"]) == 1
    versions = json.loads(capsys.readouterr().out)["versions"]
    message = f"versions 1.0.0 and 1.1.0 both map to {dist / 'app.swbn'} (`src` app.swbn and ./app.swbn)"
    assert message in versions[0]["problems"] and versions[1]["problems"] == [message]


def test_absolute_src_needs_the_update_url(tmp_path, dist, capsys):
    bundle(dist, "app.swbn", "1.0.0")
    manifest = write_manifest(tmp_path, [{"version": "1.0.0", "src": f"{URL}/app.swbn"}])
    assert main(["release", str(manifest), "--bundles", str(dist)]) == 1
    assert f"`src` {URL}/app.swbn is absolute: pass --update-url" in capsys.readouterr().out


def test_src_outside_the_manifest_folder_is_named(tmp_path, dist, capsys):
    bundle(dist, "app.swbn", "1.0.0")
    manifest = write_manifest(tmp_path, [{"version": "1.0.0", "src": "https://cdn.example.com/app.swbn"}])
    assert main(["release", str(manifest), "--bundles", str(dist), "--update-url", f"{URL}/update.json"]) == 1
    assert f"`src` https://cdn.example.com/app.swbn is not under the update manifest's folder {URL}/" in capsys.readouterr().out


def test_release_runs_the_bnd_rules_on_every_bundle(tmp_path, dist, capsys):
    from builders import Response

    manifest = {"name": "Chat", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}
    files = simple_app(manifest, **{"https://example.com/x.js": "1", "h.txt": Response(b"h", {"content-type": "text/plain", "x": " padded"})})
    (dist / "app.swbn").write_bytes(sign(build_wbn(files), [KEY]))
    update = write_manifest(tmp_path, [{"version": "1.0.0", "src": "app.swbn"}])
    assert main(["release", str(update), "--bundles", str(dist), "--format", "json"]) == 1
    [version] = json.loads(capsys.readouterr().out)["versions"]
    assert version["problems"][0].startswith("Chrome refuses to install it: BND003: bundle URL `https://example.com/x.js` is not on the app's origin")
    assert any(p.startswith("BND007 error: `/h.txt`: header `x`: the value has leading or trailing whitespace") for p in version["problems"])


def test_release_notes_do_not_fail_the_gate(tmp_path, dist, capsys):
    manifest = {"name": "Chat", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}
    (dist / "app.swbn").write_bytes(sign(build_wbn(simple_app(manifest), trailer=False), [KEY]))
    update = write_manifest(tmp_path, [{"version": "1.0.0", "src": "app.swbn"}])
    assert main(["release", str(update), "--bundles", str(dist)]) == 0
    assert "~ BND009 note: no trailing length after the sections" in capsys.readouterr().out


def test_an_unreadable_bundle_exits_2(tmp_path, dist, capsys):
    (dist / "app.swbn").write_bytes(b"\x84\x48" + b"\xf0\x9f\x96\x8b\xf0\x9f\x93\xa6")
    update = write_manifest(tmp_path, [{"version": "1.0.0", "src": "app.swbn"}])
    assert main(["release", str(update), "--bundles", str(dist)]) == 2
    assert "unreadable:" in capsys.readouterr().out


def test_single_unsigned_bundle_is_refused(tmp_path, dist, capsys):
    path = dist / "app.wbn"
    path.write_bytes(build_wbn(simple_app()))
    assert main(["release", str(path)]) == 1
    assert "Chrome refuses to install it: SIG001: the bundle is not signed" in capsys.readouterr().out
