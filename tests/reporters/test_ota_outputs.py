"""The three OTA inputs audit through the real CLI in every output format; SARIF validates."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import SARIF_SCHEMA
from test_sarif import assert_valid_sarif
from zipcraft import APP, patch_sizes, write_zip, zip_bytes

from auditor.cli import main

CONFIG_TS = """import type { CapacitorConfig } from '@capacitor/cli';

const config: CapacitorConfig = {
  appId: 'com.example.app',
  plugins: { CapacitorUpdater: { updateUrl: 'http://updates.example.com', statsUrl: process.env.STATS } },
};
export default config;
"""


def inputs(root: Path) -> dict[str, tuple[Path, list[str]]]:
    """name -> (path, extra CLI args): a zip, a TS config, an update response."""
    zipped = write_zip(root / "bundle.zip", {**APP, "../escape.js": "x", ".env": "TOKEN=1"})
    config = root / "capacitor.config.ts"
    config.write_text(CONFIG_TS, encoding="utf-8")
    config_json = root / "app" / "capacitor.config.json"
    config_json.parent.mkdir()
    config_json.write_text(json.dumps({"plugins": {"CapacitorUpdater": {"publicKey": "-----BEGIN RSA PUBLIC KEY-----"}}}), encoding="utf-8")
    response = root / "update.json"
    response.write_text(json.dumps({"version": "1.0.0", "url": "http://cdn.example.com/1.zip", "checksum": "ab" * 32}), encoding="utf-8")
    return {
        "zip": (zipped, ["--checksum", "00" * 32, "--app-version", "1.0.0", "--previous-version", "1.1.0"]),
        "config": (config, []),
        "response": (response, ["--capacitor-config", str(config_json)]),
    }


EXPECTED = {
    "zip": {"OTA003", "OTA010", "OTA012", "OTA016"},
    "config": {"OTA020", "OTA021", "OTA034"},
    "response": {"OTA040", "OTA042"},
}


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_input_in_text_json_and_sarif(tmp_path, monkeypatch, capsys, validator, name):
    monkeypatch.chdir(tmp_path)
    path, extra = inputs(tmp_path)[name]
    assert main([str(path), "--select", "OTA", *extra]) == 1
    text = capsys.readouterr().out
    assert all(rule_id in text for rule_id in EXPECTED[name])
    assert main([str(path), "--select", "OTA", "--format", "json", "-o", "out.json", *extra]) == 1
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert EXPECTED[name] <= {f["rule_id"] for f in data["findings"]}
    assert main([str(path), "--select", "OTA", "--format", "sarif", "-o", "out.sarif", *extra]) == 1
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert_valid_sarif(log, validator)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == EXPECTED[name]


def test_zip_member_findings_name_the_member_in_sarif(tmp_path, monkeypatch, validator):
    monkeypatch.chdir(tmp_path)
    path, _extra = inputs(tmp_path)["zip"]
    main([str(path), "--select", "OTA010", "--format", "sarif", "-o", "out.sarif"])
    result = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bundle.zip"
    assert result["properties"]["bundleResource"] == "/.env"


def test_a_corrupt_zip_exits_2_with_one_line(tmp_path, capsys):
    data = zip_bytes(APP)
    (tmp_path / "b.zip").write_bytes(data[:60])  # cut inside the first member: no reader gets anything
    assert main([str(tmp_path / "b.zip")]) == 2
    err = capsys.readouterr().err
    assert "end-of-central-directory" in err and "Traceback" not in err


def test_a_zip_without_its_end_record_is_audited_because_android_installs_it(tmp_path, capsys):
    data = zip_bytes(APP)
    (tmp_path / "b.zip").write_bytes(data[:-30])  # the local headers stream fine: ZipInputStream never needs the end record
    assert main([str(tmp_path / "b.zip"), "--select", "OTA009"]) == 1
    assert "iOS cannot open the archive (no end-of-central-directory record); Android installs 2 entries" in capsys.readouterr().out


def test_a_bomb_is_audited_not_refused_and_the_audit_says_it_is_incomplete(tmp_path, capsys):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=2**31, local=True))
    assert main([str(tmp_path / "b.zip"), "--select", "OTA", "--format", "json"]) == 2  # the withheld member was not audited
    data = json.loads(capsys.readouterr().out)
    assert "OTA008" in {f["rule_id"] for f in data["findings"]}
    assert data["input"]["complete"] is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip"]  # nothing extracted


def test_a_config_that_is_not_typescript_exits_2(tmp_path, capsys):
    path = tmp_path / "capacitor.config.ts"
    path.write_text("export default {\n  appId: 'a',,\n", encoding="utf-8")
    assert main([str(path)]) == 2
    assert "not valid TypeScript/JavaScript" in capsys.readouterr().err


def test_an_unreadable_capacitor_config_setting_is_a_usage_error(tmp_path, capsys):
    response = tmp_path / "update.json"
    response.write_text('{"url": "https://x/1.zip"}', encoding="utf-8")
    assert main([str(response), "--capacitor-config", str(tmp_path / "capacitor.config.json")]) == 2
    assert "--capacitor-config" in capsys.readouterr().err


def test_capacitor_config_setting_is_read_by_content_whatever_its_name(tmp_path, capsys):
    config = tmp_path / "capacitor.config.ts.prod"
    config.write_text("export default { appId: 'a', plugins: { CapacitorUpdater: { publicKey: '' } } };\n", encoding="utf-8")
    response = tmp_path / "update.json"
    response.write_text('{"version": "1.0.0", "url": "https://x/1.zip", "checksum": "' + "ab" * 256 + '", "session_key": "aXY=:a2V5"}', encoding="utf-8")
    assert main([str(response), "--capacitor-config", str(config), "--select", "OTA042"]) == 1
    assert "`session_key` for an app without `publicKey`" in capsys.readouterr().out


def test_the_backends_no_update_answer_exits_0(tmp_path, capsys):
    answer = tmp_path / "latest.json"
    answer.write_text('{"error": "no_new_version_available", "message": "No new version available", "kind": "up_to_date"}', encoding="utf-8")
    assert main([str(answer)]) == 0
    assert "no findings" in capsys.readouterr().out
