"""One verdict: the audit, `inspect` and `release` agree on whether Chrome installs each bundle."""

from __future__ import annotations

import json
from pathlib import Path

import cbor2
import pytest
from builders import Response, build_wbn, ecdsa_key, ed25519_key, sign, simple_app, web_bundle_id
from helpers import audit

from auditor.chrome.install_verdict import INSTALL, install_rules, install_verdict
from auditor.cli import main
from auditor.engine.findings import Level
from auditor.readers import open_input

KEY = ed25519_key(1)
APP_ID = web_bundle_id(KEY)
WBN = build_wbn(simple_app())


def tampered() -> bytes:
    data = bytearray(sign(WBN, [KEY]))
    data[data.index(b"document.body")] ^= 1
    return bytes(data)


CASES: dict[str, tuple[bytes, str | None]] = {
    "valid": (sign(WBN, [KEY]), None),
    "valid-two-keys": (sign(WBN, [KEY, ecdsa_key(2)]), None),
    "no-trailer": (sign(build_wbn(simple_app(), trailer=False), [KEY]), None),
    "broken-response": (sign(build_wbn(simple_app(**{"x.js": "1"}), raw_responses={"x.js": cbor2.dumps([1])}), [KEY]), None),
    "bad-header-value": (sign(build_wbn(simple_app(**{"x.txt": Response(b"x", {"content-type": "text/plain", "x": "a\x01"})})), [KEY]), None),
    "unsigned": (WBN, "SIG001"),
    "v1": (sign(WBN, [KEY], version=b"1b\x00\x00"), "SIG002"),
    "null-attribute": (sign(WBN, [KEY], attributes={"n": None}), "SIG003"),
    "tampered": (tampered(), "SIG005"),
    "foreign-id": (sign(WBN, [KEY], web_bundle_id_override=web_bundle_id(ed25519_key(2))), "SIG006"),
    "off-origin-url": (sign(build_wbn(simple_app(**{"https://example.com/a.js": "1"})), [KEY]), "BND003"),
    "primary-url": (sign(build_wbn(simple_app(), primary_url=f"isolated-app://{APP_ID}/"), [KEY]), "BND002"),
    "query-url": (sign(build_wbn(simple_app(**{"a.js?v=1": "1"})), [KEY]), "BND004"),
    "no-manifest": (sign(build_wbn({"": "<p>x</p>"}), [KEY]), "MAN001"),
    "bad-version": (sign(build_wbn(simple_app({"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "01.0"})), [KEY]), "MAN004"),
}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / (f"{name}.wbn" if name == "unsigned" else f"{name}.swbn")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_verdict_names_the_rule_that_refuses(tmp_path, name):
    data, refused_by = CASES[name]
    verdict = install_verdict(open_input(write(tmp_path, name, data)))
    assert verdict.applies
    if refused_by is None:
        assert verdict.installs and verdict.refusals == ()
        assert verdict.describe() == "yes"
    else:
        assert not verdict.installs
        assert verdict.refusals[0].rule_id == refused_by
        assert verdict.describe().startswith(f"NO: {refused_by}: ")


@pytest.mark.parametrize("name", sorted(CASES))
def test_audit_inspect_and_release_agree_with_the_verdict(tmp_path, capsys, name):
    data, refused_by = CASES[name]
    path = write(tmp_path, name, data)
    report = audit(path)
    install_errors = [f for f in report.findings if f.level is Level.ERROR and any(INSTALL in r.tags for r in report.rules if r.id == f.rule_id)]
    assert bool(install_errors) == (refused_by is not None)
    code = main(["inspect", str(path), "--format", "json"])
    facts = json.loads(capsys.readouterr().out)
    assert facts["chrome_installs"]["installs"] is (refused_by is None)
    assert code == (0 if refused_by is None else 1)
    release_code = main(["release", str(path), "--format", "json"])
    gate = json.loads(capsys.readouterr().out)
    refusals = [p for p in gate["versions"][0]["problems"] if p.startswith("Chrome refuses to install it")]
    assert bool(refusals) == (refused_by is not None)
    if refused_by is not None:
        assert release_code == 1


def test_a_folder_is_not_judged(app):
    verdict = install_verdict(open_input(app(simple_app_folder())))
    assert not verdict.applies and not verdict.installs
    assert verdict.describe() == "not a bundle: Chrome installs only Signed Web Bundles"


def simple_app_folder() -> dict:
    return {"index.html": "<p>x</p>", ".well-known/manifest.webmanifest": {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1"}}


def test_inspect_text_shows_the_verdict_and_its_reasons(tmp_path, capsys):
    path = write(tmp_path, "off-origin-url", CASES["off-origin-url"][0])
    assert main(["inspect", str(path)]) == 1
    out = capsys.readouterr().out
    assert "chrome installs         NO\n  - BND003: bundle URL `https://example.com/a.js` is not on the app's origin" in out
    path = write(tmp_path, "valid", CASES["valid"][0])
    assert main(["inspect", str(path)]) == 0
    assert "chrome installs         yes\n" in capsys.readouterr().out


def test_inspect_a_folder_exits_0_with_no_verdict(app, capsys):
    assert main(["inspect", str(app(simple_app_folder()))]) == 0
    assert "chrome installs         - (not a bundle)" in capsys.readouterr().out


def test_the_install_rules_are_the_structural_ones():
    assert sorted(r.id for r in install_rules()) == ["BND001", "BND002", "BND003", "BND004", "MAN001", "MAN002", "MAN004", "SIG001", "SIG002", "SIG003", "SIG004", "SIG005", "SIG006"]


def test_a_rejection_no_rule_reports_still_refuses(tmp_path, monkeypatch):
    from auditor.engine.model import IntegrityBlock

    bundle = open_input(write(tmp_path, "valid", CASES["valid"][0]))
    monkeypatch.setattr(IntegrityBlock, "rejection", lambda self: "a reason only the block knows")
    verdict = install_verdict(bundle)
    assert [str(r) for r in verdict.refusals] == ["SIG: a reason only the block knows"]


def test_a_crashing_install_rule_refuses_through_the_runner_crash_handler(tmp_path, monkeypatch):
    import auditor.chrome.install_verdict as module

    bundle = open_input(write(tmp_path, "valid", CASES["valid"][0]))
    rules = install_rules()

    def boom(ctx):
        raise RuntimeError("boom")

    from auditor.engine.record import replace

    broken = replace(rules[0], check=boom)
    monkeypatch.setattr(module, "install_rules", lambda: (broken, *rules[1:]))
    verdict = install_verdict(bundle)
    assert not verdict.installs
    assert verdict.refusals[0].rule_id == "AUD002" and "RuntimeError: boom" in verdict.refusals[0].message
