"""`iwa-audit inspect`: verified facts of a bundle, in text and JSON, with honest exit codes."""

from __future__ import annotations

import json

from builders import build_wbn, ecdsa_key, ed25519_key, public_bytes, sign, simple_app, web_bundle_id

from auditor.cli import main

WBN = build_wbn(simple_app())


def inspect_json(path, capsys) -> tuple[int, dict]:
    code = main(["inspect", str(path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_inspect_reports_verified_facts_of_a_two_key_bundle(tmp_path, capsys):
    ed, ec = ed25519_key(1), ecdsa_key(2)
    path = tmp_path / "app.swbn"
    path.write_bytes(sign(WBN, [ed, ec]))
    code, data = inspect_json(path, capsys)
    app_id = web_bundle_id(ed)
    assert code == 0
    assert data["kind"] == "swbn"
    assert data["web_bundle_id"] == app_id
    assert data["origin"] == f"isolated-app://{app_id}/"
    assert data["id_derived_from_signer"] is True
    assert [(s["type"], s["public_key"], s["valid"]) for s in data["signatures"]] == [
        ("ed25519", public_bytes(ed).hex(), True),
        ("ecdsa-p256", public_bytes(ec).hex(), True),
    ]
    assert data["resources"][0] == {"url": "/", "status": 200, "content_type": "text/html", "size": len(simple_app()[""].encode())}
    assert data["manifest_version"] == "1.0.0"


def test_inspect_exits_1_when_a_signature_fails(tmp_path, capsys):
    data = bytearray(sign(WBN, [ed25519_key(1)]))
    data[data.index(b"document.body")] ^= 1
    path = tmp_path / "app.swbn"
    path.write_bytes(bytes(data))
    code, facts = inspect_json(path, capsys)
    assert code == 1
    assert facts["signatures"][0]["valid"] is False and facts["signatures"][0]["problem"] == "signature does not verify"


def test_inspect_text_shows_id_signatures_and_resources(tmp_path, capsys):
    path = tmp_path / "app.swbn"
    path.write_bytes(sign(WBN, [ed25519_key(1)]))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"web bundle id           {web_bundle_id(ed25519_key(1))}" in out
    assert "ed25519" in out and "valid" in out
    assert "/.well-known/manifest.webmanifest" in out


def test_inspect_unreadable_input_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "app.swbn"
    path.write_bytes(sign(WBN, [ed25519_key(1)])[:40])
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "at byte 30: integrity block attributes: attribute `webBundleId` needs 56 bytes but only 10 remain" in err and "Traceback" not in err
