"""The Capacitor project input: sniffed by content, one report over config, web build and native files; hostile native files."""

from __future__ import annotations

import json
import plistlib
import struct
from pathlib import Path

import pytest
from capproject import MANIFEST_PATH, PLIST_PATH, manifest, project
from helpers import audit, audit_lines, position

from auditor.cli import main
from auditor.engine.catalogue import all_rules
from auditor.engine.limits import DEFAULT_LIMITS
from auditor.engine.model import InputKind
from auditor.engine.registry import RuleSet
from auditor.engine.runner import run_rules
from auditor.native.gitignore import Ignores
from auditor.readers import open_input

APP_JS = "import { CapacitorUpdater } from '@capgo/capacitor-updater';\nCapacitorUpdater.notifyAppReady();\n"


def test_a_config_beside_a_platform_folder_is_a_project(tmp_path):
    assert open_input(project(tmp_path)).kind is InputKind.CAPACITOR_PROJECT


def test_a_config_without_platform_folders_is_a_plain_folder(tmp_path):
    (tmp_path / "capacitor.config.json").write_text("{}")
    (tmp_path / "index.html").write_text("<p>")
    assert open_input(tmp_path).kind is InputKind.FOLDER


def test_one_report_holds_config_web_build_and_native_findings(tmp_path):
    config = {"plugins": {"CapacitorUpdater": {"updateUrl": "http://ota.example.com/api"}}}
    root = project(tmp_path, plugins=None, config=config, android=manifest(' android:debuggable="true"'), files={"www/index.html": "<script>eval('1')</script>\n", "www/app.js": "console.log(1)\n"})
    lines = audit_lines(root, "OTA002,OTA020,NAT004,SCR004")
    debuggable = position((root / MANIFEST_PATH).read_text(), "android:debuggable")
    update_url = position((root / "capacitor.config.json").read_text(), '"updateUrl"')
    assert lines[:3] == [
        f"NAT004 error /{MANIFEST_PATH}:{debuggable} `android:debuggable=\"true\"` in the main manifest makes release builds debuggable",
        f"OTA020 error /capacitor.config.json:{update_url} `updateUrl` is `http://ota.example.com/api`, not an https: URL",
        "OTA002 error /www/ no script calls `notifyAppReady()`; every device will roll this update back",
    ]
    assert len(lines) == 4 and lines[3].startswith("SCR004 error /www/index.html:1:9 ")


def test_web_build_findings_name_the_file_in_text_output(tmp_path, capsys):
    root = project(tmp_path, plugins=None, files={"www/app.js": APP_JS})
    code = main([str(root), "--select", "OTA001", "--format", "text", "--color", "never"])
    assert code == 1
    assert "app!/www/: error[OTA001]" in capsys.readouterr().out.replace(str(tmp_path) + "/", "")


def test_native_finding_lands_on_the_repository_file_in_sarif(tmp_path, capsys, monkeypatch):
    root = project(tmp_path, android=manifest(' android:debuggable="true"'))
    monkeypatch.chdir(root)
    main([".", "--select", "NAT004", "--format", "sarif"])
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == MANIFEST_PATH
    assert (physical["region"]["startLine"], physical["region"]["startColumn"]) == (3, 38)


def test_web_dir_outside_the_project_is_never_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("<script>eval('x')</script>")
    root = project(tmp_path, plugins=None, config={"webDir": "../outside"})
    bundle = open_input(root)
    assert not any("outside" in p or p.endswith("index.html") for p in bundle.resources)


def test_symlinked_native_file_is_not_followed(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text('<manifest xmlns:android="http://schemas.android.com/apk/res/android"><application android:debuggable="true"/></manifest>')
    root = project(tmp_path)
    (root / MANIFEST_PATH).unlink()
    (root / MANIFEST_PATH).symlink_to(secret)
    assert audit_lines(root, "NAT") == [line for line in audit_lines(root, "NAT") if "debuggable" not in line]
    assert "/" + MANIFEST_PATH not in open_input(root).resources


# --- hostile native files --------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE manifest [\n<!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(8))
    + ']>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android"><application android:label="&i;"/></manifest>\n'
)


def nat001(root: Path) -> list[str]:
    return [line for line in audit_lines(root) if line.startswith(("NAT001", "AUD"))]


def test_billion_laughs_is_refused_as_a_finding(tmp_path):
    lines = nat001(project(tmp_path, android=BILLION_LAUGHS))
    assert len(lines) == 1 and lines[0].startswith(f"NAT001 error /{MANIFEST_PATH}:3:") and "EntitiesForbidden" in lines[0]


def test_external_entity_never_reads_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY x SYSTEM "file://{secret}">]>\n<manifest><application android:label="&x;"/></manifest>\n'
    report = audit(project(tmp_path, android=xml))
    messages = " ".join(f.message for f in report.findings)
    assert "TOP-SECRET-VALUE" not in messages
    assert [f.rule_id for f in report.findings if f.rule_id in ("NAT001", "AUD002")] == ["NAT001"]


def test_external_dtd_is_not_fetched(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "INJECTED">')
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE manifest SYSTEM "{dtd}">\n<manifest xmlns:android="http://schemas.android.com/apk/res/android"><application android:label="&x;" android:debuggable="true"/></manifest>\n'
    report = audit(project(tmp_path, android=xml))
    assert "INJECTED" not in " ".join(f.message for f in report.findings)
    assert "NAT004" in {f.rule_id for f in report.findings}  # the rest of the file is still audited
    assert "AUD002" not in {f.rule_id for f in report.findings}


def lying_binary_plist() -> bytes:
    data = bytearray(plistlib.dumps({"NSAppTransportSecurity": {"NSAllowsArbitraryLoads": True}}, fmt=plistlib.FMT_BINARY))
    data[-8:] = struct.pack(">Q", 2**62)  # the offset table "starts" far beyond the file
    return bytes(data)


@pytest.mark.parametrize(
    "info",
    [
        lying_binary_plist(),
        b"bplist00" + b"\xff" * 40,
        b"bplist00\xd1\x01\x01" + b"\x00" * 6 + struct.pack(">BBQQQ", 1, 1, 2**40, 0, 8),  # 2**40 objects declared
        b'<?xml version="1.0"?><plist version="1.0"><dict><key>a</key></plist>',
        b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "y">]><plist version="1.0"><dict/></plist>',
    ],
    ids=["offset-table-beyond-file", "garbage-trailer", "huge-object-count", "malformed-xml", "entity"],
)
def test_hostile_plists_are_a_finding_not_a_crash(tmp_path, info):
    lines = nat001(project(tmp_path, info=info))
    assert len(lines) == 1 and lines[0].startswith(f"NAT001 error /{PLIST_PATH}"), lines


def test_ten_megabyte_manifest_is_a_limit_finding(tmp_path):
    padding = "<!-- " + "x" * (10 * 1024 * 1024) + " -->\n"
    root = project(tmp_path, android=manifest().replace("<manifest", padding + "<manifest", 1))
    assert nat001(root) == [f"NAT001 error /{MANIFEST_PATH} `{MANIFEST_PATH}` is larger than 4194304 bytes (max_native_config_bytes); not parsed"]


def test_ten_megabyte_manifest_parses_when_the_limit_is_raised(tmp_path):
    many = "".join(f'    <meta-data android:name="k{i}" android:value="v"/>\n' for i in range(185_000))
    text = manifest(' android:debuggable="true"').replace("    </application>", many + "    </application>")
    assert len(text) > 10 * 1024 * 1024
    root = project(tmp_path, android=text)
    limits = DEFAULT_LIMITS.with_overrides({"max_native_config_bytes": 16 * 1024 * 1024})
    report = run_rules(open_input(root, limits=limits), RuleSet(all_rules()), limits=limits)
    assert [f.rule_id for f in report.findings if f.rule_id in ("NAT001", "NAT004", "AUD002")] == ["NAT004"]


# --- gitignore ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "path", "ignored"),
    [
        ("*.pem\n", "a/b/key.pem", True),
        ("/key.pem\n", "a/key.pem", False),
        ("keys/\n", "keys/a.pem", True),
        ("keys/\n", "keys", False),  # a file named `keys` is not a directory
        ("*.pem\n!keep.pem\n", "keep.pem", False),
        ("secrets/**\n!secrets/ok.pem\n", "secrets/ok.pem", False),
        ("a/**/b.pem\n", "a/x/y/b.pem", True),
        ("\\#hash.pem\n", "#hash.pem", True),
        ("# comment\n\n", "comment", False),
        ("k?y.pem\n", "key.pem", True),
        ("[kK]ey.pem\n", "Key.pem", True),
        ("dir/\n!dir/key.pem\n", "dir/key.pem", True),  # git never looks inside an ignored folder
    ],
)
def test_gitignore_matching(tmp_path, rules, path, ignored):
    (tmp_path / ".gitignore").write_text(rules)
    assert (Ignores(tmp_path).ignored_by(path) is not None) is ignored


def test_a_deeper_gitignore_wins(tmp_path):
    (tmp_path / ".gitignore").write_text("*.jks\n")
    (tmp_path / "android").mkdir()
    (tmp_path / "android" / ".gitignore").write_text("!release.jks\n")
    assert Ignores(tmp_path).ignored_by("android/release.jks") is None
    assert Ignores(tmp_path).ignored_by("other/release.jks") is not None
