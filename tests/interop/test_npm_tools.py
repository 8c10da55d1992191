"""Interop with the official npm tools: bundles made by `wbn` and signed by `wbn-sign`.

The tools are installed (pinned) into a temporary folder once per session. The
tests skip only when `npm` is absent; an install failure is a failure, since CI
has npm and must run them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from builders import ecdsa_key, ed25519_key, web_bundle_id
from cryptography.hazmat.primitives import serialization
from helpers import SARIF_SCHEMA, audit_lines

from auditor.cli import main

WBN_VERSION = "0.0.9"
WBN_SIGN_VERSION = "0.2.5"
EXAMPLE_APP = Path(__file__).resolve().parents[2] / "examples" / "app"

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: the interop tests need the official wbn and wbn-sign tools")


@pytest.fixture(scope="session")
def tools(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("npm-tools")
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder), f"wbn@{WBN_VERSION}", f"wbn-sign@{WBN_SIGN_VERSION}"],
        check=True, capture_output=True, timeout=300,
    )
    return folder / "node_modules" / ".bin"


def pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture(scope="session")
def official_bundles(tools, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """name -> (signed bundle, the ID wbn-sign printed), for Ed25519, ECDSA P-256 and both keys."""
    work = tmp_path_factory.mktemp("official")
    shutil.copytree(EXAMPLE_APP, work / "dist")
    keys = {"ed25519": ed25519_key(11), "ecdsa": ecdsa_key(12)}
    for name, key in keys.items():
        (work / f"{name}.pem").write_bytes(pem(key))
    subprocess.run([str(tools / "wbn"), "--dir", str(work / "dist"), "-o", str(work / "app.wbn")], check=True, capture_output=True, timeout=120)
    out = {}
    plans = {
        "ed25519": (["ed25519.pem"], []),
        "ecdsa": (["ecdsa.pem"], []),
        "both": (["ed25519.pem", "ecdsa.pem"], ["--web-bundle-id", web_bundle_id(keys["ed25519"])]),
    }
    for name, (key_files, extra) in plans.items():
        target = work / f"{name}.swbn"
        done = subprocess.run(
            [str(tools / "wbn-sign"), "-i", str(work / "app.wbn"), "-o", str(target), "-k", *[str(work / k) for k in key_files], *extra],
            check=True, capture_output=True, text=True, timeout=120,
        )
        printed = done.stdout.strip().splitlines()[-1]
        out[name] = (target, printed)
    return out


@pytest.mark.parametrize("name", ["ed25519", "ecdsa", "both"])
def test_official_bundle_verifies_with_the_id_wbn_sign_printed(official_bundles, name, capsys):
    path, printed_id = official_bundles[name]
    assert main(["inspect", str(path), "--format", "json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["web_bundle_id"] == printed_id
    assert facts["origin"] == f"isolated-app://{printed_id}/"
    assert facts["signatures"] and all(s["valid"] for s in facts["signatures"])
    assert [s["type"] for s in facts["signatures"]] == {"ed25519": ["ed25519"], "ecdsa": ["ecdsa-p256"], "both": ["ed25519", "ecdsa-p256"]}[name]
    assert facts["manifest_version"] == "1.0.0"
    sig_rules = [line.split(" ", 2)[:2] for line in audit_lines(path, "SIG")]
    assert sig_rules == ([] if name == "ed25519" else [["SIG008", "note"]])


@pytest.mark.parametrize("name", ["ed25519", "ecdsa", "both"])
def test_one_changed_payload_byte_fails_every_signature(official_bundles, name, tmp_path, capsys):
    path, _ = official_bundles[name]
    data = bytearray(path.read_bytes())
    data[data.index(b"<!doctype html>") + 2] ^= 0x01
    tampered = tmp_path / "tampered.swbn"
    tampered.write_bytes(bytes(data))
    assert main(["inspect", str(tampered), "--format", "json"]) == 1
    facts = json.loads(capsys.readouterr().out)
    assert facts["signatures"] and not any(s["valid"] for s in facts["signatures"])
    lines = audit_lines(tampered, "SIG005")
    assert len(lines) == len(facts["signatures"]) and all(ln.startswith("SIG005 error <input>@") and ln.endswith("signature does not verify") for ln in lines)


def test_wbn_redirect_entries_are_flagged_and_sarif_points_at_the_bundle_file(official_bundles, capsys, monkeypatch):
    path, _ = official_bundles["ed25519"]
    monkeypatch.chdir(path.parent)
    assert main([path.name, "--format", "sarif", "--select", "BND006"]) == 1
    log = json.loads(capsys.readouterr().out)
    import jsonschema

    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert result["ruleId"] == "BND006" and result["level"] == "warning"
    assert location["artifactLocation"] == {"uri": path.name, "uriBaseId": "%SRCROOT%"}
    assert location["region"]["byteOffset"] > 0
    assert result["properties"]["bundleResource"] == "/index.html"
    assert "/index.html" in result["message"]["text"]


WBN_ALIAS_SCRIPT = """
const wbn = require('wbn');
const builder = new wbn.BundleBuilder();
for (const [url, type, body] of JSON.parse(process.argv[1])) builder.addExchange(url, 200, {'content-type': type}, body);
process.stdout.write(Buffer.from(builder.createBundle()));
"""


def test_wbn_alias_keys_serve_the_first_in_index_order(tools, tmp_path):
    """`wbn`'s BundleBuilder writes alias keys as given; Chrome (and we) serve the first in its canonical index."""
    from builders import index_order, sign

    from auditor.chrome.manifest import load_manifest
    from auditor.engine.context import AuditSession, Context
    from auditor.readers import open_input

    key = ed25519_key(21)
    copies = {
        "\\.well-known\\manifest.webmanifest": {"name": "Evil", "version": "6.6.6"},
        "/.well-known/manifest.webmanifest": {"name": "App", "version": "1.0.0"},
        "%2e/.well-known/manifest.webmanifest": {"name": "Other", "version": "2.0.0"},
    }
    entries = [["", "text/html", "<p>hi</p>"]] + [[url, "application/manifest+json", json.dumps(body)] for url, body in copies.items()]
    built = subprocess.run(["node", "-e", WBN_ALIAS_SCRIPT, json.dumps(entries)], env={"NODE_PATH": str(tools.parent), "PATH": "/usr/bin:/bin:/usr/local/bin"}, check=True, capture_output=True, timeout=120)
    path = tmp_path / "aliases.swbn"
    path.write_bytes(sign(built.stdout, [key]))
    first = index_order(copies)[0]
    assert first == "/.well-known/manifest.webmanifest"  # same length as the backslash key; `/` sorts before `\`
    manifest = load_manifest(Context(AuditSession(open_input(path))))
    assert manifest is not None and manifest.data["version"] == "1.0.0"
    [line] = audit_lines(path, "BND005")
    assert line.startswith("BND005 error /.well-known/manifest.webmanifest@") and "3 index keys name the manifest" in line
    assert f"Chrome installs the first, `{first}`" in line
