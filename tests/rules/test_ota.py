"""OTA rules: one flag test (exact id, level, location, message) and one near-miss per rule."""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pytest
from helpers import audit_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zipcraft import APP, patch_sizes, write_zip, zip_bytes


def bundle(tmp_path: Path, files, **kwargs) -> Path:
    return write_zip(tmp_path / "bundle.zip", files, **kwargs)


def updater_config(tmp_path: Path, **keys) -> Path:
    """A capacitor.config.json whose first updater key sits at line 4, column 7."""
    path = tmp_path / "capacitor.config.json"
    path.write_text(json.dumps({"plugins": {"CapacitorUpdater": keys}}, indent=2), encoding="utf-8")
    return path


def core_config(tmp_path: Path, value: dict) -> Path:
    path = tmp_path / "capacitor.config.json"
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def response(tmp_path: Path, **members) -> Path:
    """An update response; members appear one per line from line 2, keys at column 3."""
    path = tmp_path / "response.json"
    path.write_text(json.dumps(members, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rsa_keys():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def pkcs1(bits: int) -> str:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()

    return {1024: pkcs1(1024), 2048: pkcs1(2048)}


# --- bundle ---------------------------------------------------------------------------------


def test_ota001_flags_index_one_level_too_deep(tmp_path):
    path = bundle(tmp_path, {"dist/index.html": "x", "dist/app.js": APP["app.js"]})
    assert audit_lines(path, "OTA001") == ["OTA001 error <input> no `index.html` at the root of the bundle; found `/dist/index.html`, one level too deep"]


def test_ota001_allows_root_index(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA001") == []


def test_ota001_allows_a_dot_slash_root_index(tmp_path):
    assert audit_lines(bundle(tmp_path, {"./index.html": "x", "app.js": APP["app.js"]}), "OTA001") == []


def test_ota002_flags_notify_app_ready_only_in_a_comment(tmp_path):
    path = bundle(tmp_path, {**APP, "app.js": "// CapacitorUpdater.notifyAppReady()\nstart('notifyAppReady');\n"})
    assert audit_lines(path, "OTA002") == ["OTA002 error <input> no script calls `notifyAppReady()`; every device will roll this update back"]


@pytest.mark.parametrize("call", ["CapacitorUpdater.notifyAppReady()", "a.b['notifyAppReady']()", "notifyAppReady()"])
def test_ota002_allows_a_call(tmp_path, call):
    path = bundle(tmp_path, {**APP, "app.js": f"// boot\n{call};\n"})
    assert audit_lines(path, "OTA002") == []


def test_ota003_flags_traversal_absolute_backslash_and_drive_names(tmp_path):
    path = bundle(tmp_path, {**APP, "../evil.js": "", "/abs.js": "", "a\\b.js": "", "C:/x.js": ""})
    assert audit_lines(path, "OTA003") == [
        "OTA003 error <input>@154 entry `../evil.js` contains a `..` segment",
        "OTA003 error <input>@196 entry `/abs.js` is an absolute path",
        "OTA003 error <input>@235 entry `a\\b.js` contains a backslash",
        "OTA003 error <input>@273 entry `C:/x.js` starts with a drive letter",
    ]


def test_ota003_allows_dots_inside_names(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "a..b/..c.js": "", "./x.js": ""}), "OTA003") == []


def test_ota004_flags_a_duplicate_name(tmp_path):
    path = bundle(tmp_path, [*APP.items(), ("app.js", "evil()")])
    assert audit_lines(path, "OTA004") == ["OTA004 error <input>@154 entry `app.js` appears more than once"]


def test_ota004_allows_same_name_in_other_folders(tmp_path):
    assert audit_lines(bundle(tmp_path, [*APP.items(), ("js/app.js", "x")]), "OTA004") == []


def test_ota005_flags_a_symlink(tmp_path):
    path = bundle(tmp_path, {**APP, "data": "/data/data/com.example"}, modes={"data": 0o120777})
    assert audit_lines(path, "OTA005") == ["OTA005 error <input>@154 entry `data` is a symbolic link"]


def test_ota005_allows_an_executable_file(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "data": "x"}, modes={"data": 0o100755}), "OTA005") == []


def test_ota006_flags_an_encrypted_entry(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, flags=0x1, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA006") == ["OTA006 error <input>@81 entry `app.js` is encrypted"]


def test_ota006_allows_the_utf8_flag(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, flags=0x800, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA006") == []


def test_ota007_flags_a_zip_inside_by_magic(tmp_path):
    path = bundle(tmp_path, {**APP, "assets/data.bin": zip_bytes({"a": "b"})})
    assert audit_lines(path, "OTA007") == ["OTA007 error /assets/data.bin `/assets/data.bin` is an archive inside the bundle"]


def test_ota007_allows_a_binary_that_is_not_an_archive(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "assets/data.bin": b"PK\x01\x02 not a local header"}), "OTA007") == []


def test_ota008_flags_a_ratio_bomb_kept_small_on_disk(tmp_path):
    path = bundle(tmp_path, {**APP, "pad.js": b"\0" * (4 * 1024 * 1024)})
    assert path.stat().st_size < 10_000
    assert audit_lines(path, "OTA008") == ["OTA008 error <input>@154 entry `pad.js` expands 1028 times (4080 -> 4194304 bytes; limit 200)"]


def test_ota008_flags_a_declared_2gb_member_and_total(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=2**31 + 1, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA008") == [
        "OTA008 error <input>@81 entry `app.js` declares 2147483649 bytes (limit 268435456)",
        "OTA008 error <input>@154 the archive declares 2147483692 bytes in total (limit 2147483648)",
    ]


def test_ota008_allows_a_compressible_small_file(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "pad.js": b"\0" * (512 * 1024)}), "OTA008") == []


def test_ota009_flags_a_central_directory_that_lies(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=5, compressed=3))
    assert audit_lines(tmp_path / "b.zip", "OTA009") == [
        "OTA009 error <input>@81 `app.js`: local header declares 35 bytes (37 compressed), the central directory 5 (3 compressed)"
    ]


def test_ota009_allows_a_consistent_lie_the_reader_cuts_off(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=5, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA009") == []


def test_ota010_flags_signing_keys_and_env_files(tmp_path):
    path = bundle(tmp_path, {**APP, ".capgo_key_v2": "x", "config/.env.production": "TOKEN=1", "key.txt": "id\n-----BEGIN RSA PRIVATE KEY-----\nMII\n"})
    assert audit_lines(path, "OTA010") == [
        "OTA010 error /.capgo_key_v2 `/.capgo_key_v2` is a key or secrets file",
        "OTA010 error /config/.env.production `/config/.env.production` is a key or secrets file",
        "OTA010 error /key.txt:2:1 `/key.txt` contains a private key",
    ]


def test_ota010_allows_public_keys_and_env_examples(tmp_path):
    path = bundle(tmp_path, {**APP, ".capgo_key_v2.pub": "x", ".env.example": "TOKEN=", "key.txt": "-----BEGIN RSA PUBLIC KEY-----\n"})
    assert audit_lines(path, "OTA010") == []


def test_ota010_flags_a_key_in_a_source_folder_too(app):
    path = app({"index.html": "x", ".env": "SECRET=1"})
    assert audit_lines(path, "OTA010") == ["OTA010 error /.env `/.env` is a key or secrets file"]


def test_ota011_flags_embedded_sources_and_node_modules(tmp_path):
    path = bundle(tmp_path, {**APP, "app.js.map": json.dumps({"sources": ["a.ts"], "sourcesContent": ["let t"]}), "node_modules/x/a.js": "", "node_modules/y.js": ""})
    assert audit_lines(path, "OTA011") == [
        "OTA011 warning /app.js.map source map `/app.js.map` embeds 1 source file(s) in `sourcesContent`",
        "OTA011 warning /node_modules/x/a.js `/node_modules/x/a.js` is under `node_modules/`",
    ]


def test_ota011_allows_maps_without_sources(tmp_path):
    path = bundle(tmp_path, {**APP, "app.js.map": json.dumps({"sources": ["a.ts"], "sourcesContent": [None]}), "node_modules.txt": ""})
    assert audit_lines(path, "OTA011") == []


def test_ota012_flags_a_sha256_of_another_zip(tmp_path):
    path = bundle(tmp_path, APP)
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert audit_lines(path, "OTA012", settings={"checksum": "ab" * 32}) == [f"OTA012 error <input> SHA-256 of the zip is `{actual}`, not `{'ab' * 32}`"]


def test_ota012_flags_a_value_that_is_no_checksum(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA012", settings={"checksum": "xyz"}) == [
        "OTA012 error <input> `xyz` is neither a SHA-256 (64 hex digits) nor a CRC32 (8 hex digits)"
    ]


def test_ota012_allows_the_right_sha256_in_capitals(tmp_path):
    path = bundle(tmp_path, APP)
    assert audit_lines(path, "OTA012", settings={"checksum": hashlib.sha256(path.read_bytes()).hexdigest().upper()}) == []


def test_ota013_flags_a_matching_crc32(tmp_path):
    path = bundle(tmp_path, APP)
    crc = f"{zlib.crc32(path.read_bytes()):08x}"
    assert audit_lines(path, "OTA012,OTA013", settings={"checksum": crc}) == [f"OTA013 warning <input> checksum `{crc}` is a CRC32"]


def test_ota013_flags_a_crc32_in_a_response(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://cdn.example.com/1.zip", checksum="9a0364b9")
    assert audit_lines(path, "OTA013") == ["OTA013 warning <input>:4:3 checksum `9a0364b9` is a CRC32"]


def test_ota013_allows_an_encrypted_checksum_response(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://cdn.example.com/1.zip", checksum="9a0364b9", session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA013") == []


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_ota014_flags_missing_extra_and_changed_files(tmp_path):
    table = {"index.html": sha(APP["index.html"]), "app.js": sha("old"), "gone.css": sha("")}
    path = bundle(tmp_path, {**APP, "extra.js": "x", "checksum.json": json.dumps(table)})
    assert audit_lines(path, "OTA014") == [
        f"OTA014 error /app.js `/app.js` has SHA-256 `{sha(APP['app.js'])}`, `/checksum.json` says `{sha('old')}`",
        "OTA014 error /checksum.json `/gone.css` is listed in `/checksum.json` but not in the bundle",
        "OTA014 error /extra.js `/extra.js` is not listed in `/checksum.json`",
    ]


def test_ota014_allows_a_matching_manifest(tmp_path):
    table = {"files": {"/index.html": sha(APP["index.html"]), "app.js": sha(APP["app.js"]).upper()}}
    assert audit_lines(bundle(tmp_path, {**APP, "checksum.json": json.dumps(table)}), "OTA014") == []


def test_ota015_flags_a_two_part_version(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA015", settings={"app_version": "1.2"}) == [
        "OTA015 error <input> version `1.2` is not a semantic version (MAJOR.MINOR.PATCH)"
    ]


def test_ota015_flags_a_v_prefix_in_a_response(tmp_path):
    path = response(tmp_path, version="v1.2.0", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA015") == ["OTA015 error <input>:2:3 version `v1.2.0` is not a semantic version (MAJOR.MINOR.PATCH)"]


def test_ota015_allows_prerelease_and_build(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA015", settings={"app_version": "1.2.0-beta.1+42"}) == []


def test_ota016_flags_a_downgrade(tmp_path):
    path = response(tmp_path, version="1.3.9", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA016", settings={"previous_version": "1.4.0"}) == [
        "OTA016 error <input>:2:3 version `1.3.9` is lower than the previous version `1.4.0`"
    ]


def test_ota016_flags_a_prerelease_of_the_deployed_version(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA016", settings={"app_version": "1.4.0-rc.1", "previous_version": "1.4.0"}) == [
        "OTA016 error <input> version `1.4.0-rc.1` is lower than the previous version `1.4.0`"
    ]


def test_ota016_allows_a_numerically_higher_version(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA016", settings={"app_version": "1.10.0", "previous_version": "1.9.0"}) == []


# --- capacitor config -------------------------------------------------------------------------


def test_ota020_flags_http_update_url_and_local_stats(tmp_path):
    path = updater_config(tmp_path, updateUrl="http://updates.example.com/api", statsUrl="https://192.168.1.2/stats")
    assert audit_lines(path, "OTA020") == [
        "OTA020 error <input>:4:7 `updateUrl` is `http://updates.example.com/api`, not an https: URL",
        "OTA020 warning <input>:5:7 `statsUrl` points at the local address `192.168.1.2`",
    ]


def test_ota020_allows_https_and_disabled_stats(tmp_path):
    assert audit_lines(updater_config(tmp_path, updateUrl="https://updates.example.com/api", statsUrl=""), "OTA020") == []


def test_ota021_flags_self_hosted_without_public_key(tmp_path):
    assert audit_lines(updater_config(tmp_path, updateUrl="https://updates.example.com/api"), "OTA021") == [
        "OTA021 error <input>:4:7 self-hosted `updateUrl` (updates.example.com) without `publicKey`: updates are not signed"
    ]


def test_ota021_flags_capgo_cloud_without_public_key_as_warning(tmp_path):
    assert audit_lines(updater_config(tmp_path, autoUpdate=True), "OTA021") == [
        "OTA021 warning <input>:3:5 no `publicKey`: Capgo cloud updates are not signed end to end"
    ]


def test_ota021_allows_self_hosted_with_public_key(tmp_path):
    assert audit_lines(updater_config(tmp_path, updateUrl="https://updates.example.com/api", publicKey="-----BEGIN RSA PUBLIC KEY-----"), "OTA021") == []


def test_ota022_flags_spki_and_short_keys(tmp_path, rsa_keys):
    spki = rsa_keys[2048].replace("RSA PUBLIC KEY", "PUBLIC KEY")
    assert audit_lines(updater_config(tmp_path, publicKey=spki), "OTA022") == [
        "OTA022 error <input>:4:7 `publicKey` does not start with `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1) but with `-----BEGIN PUBLIC KEY-----`"
    ]
    assert audit_lines(updater_config(tmp_path, publicKey=rsa_keys[1024]), "OTA022") == [
        "OTA022 error <input>:4:7 `publicKey` is a 1024-bit RSA key; the updater needs 2048 bits (one 256-byte block)"
    ]


def test_ota022_flags_a_truncated_key(tmp_path, rsa_keys):
    lines = audit_lines(updater_config(tmp_path, publicKey=rsa_keys[2048][:200]), "OTA022")
    assert len(lines) == 1 and lines[0].startswith("OTA022 error <input>:4:7 `publicKey` is not a parseable PEM public key")


def test_ota022_allows_a_pkcs1_rsa_2048_key(tmp_path, rsa_keys):
    assert audit_lines(updater_config(tmp_path, publicKey=rsa_keys[2048]), "OTA022") == []


def test_ota023_flags_legacy_private_key(tmp_path):
    path = updater_config(tmp_path, publicKey="x", privateKey="-----BEGIN RSA PRIVATE KEY-----\nMII")
    assert audit_lines(path, "OTA023") == ["OTA023 error <input>:5:7 `privateKey` is in the config: the signing key ships inside the app"]


def test_ota023_flags_a_pem_under_another_key(tmp_path):
    path = core_config(tmp_path, {"appId": "a", "plugins": {"Other": {"key": "-----BEGIN PRIVATE KEY-----"}}})
    assert audit_lines(path, "OTA023") == ["OTA023 error <input>:5:7 `/plugins/Other/key` holds a private key"]


def test_ota023_allows_an_empty_private_key(tmp_path):
    assert audit_lines(updater_config(tmp_path, publicKey="x", privateKey=""), "OTA023") == []


def test_ota024_flags_persistent_url_override_as_error(tmp_path):
    assert audit_lines(updater_config(tmp_path, allowModifyUrl=True, persistModifyUrl=True), "OTA024") == [
        "OTA024 error <input>:4:7 `allowModifyUrl` lets JavaScript change the update, channel and stats URLs, "
        "and `persistModifyUrl` keeps the change across restarts"
    ]


def test_ota024_flags_url_override_as_warning(tmp_path):
    assert audit_lines(updater_config(tmp_path, allowModifyUrl=True), "OTA024") == [
        "OTA024 warning <input>:4:7 `allowModifyUrl` lets JavaScript change the update, channel and stats URLs"
    ]


def test_ota024_allows_persist_without_allow(tmp_path):
    assert audit_lines(updater_config(tmp_path, allowModifyUrl=False, persistModifyUrl=True), "OTA024") == []


def test_ota025_flags_modifiable_app_id(tmp_path):
    assert audit_lines(updater_config(tmp_path, allowModifyAppId=True), "OTA025") == [
        "OTA025 warning <input>:4:7 `allowModifyAppId` lets JavaScript change the app id used for updates"
    ]


def test_ota025_allows_false(tmp_path):
    assert audit_lines(updater_config(tmp_path, allowModifyAppId=False), "OTA025") == []


def test_ota026_flags_shake_menu_and_preview(tmp_path):
    assert audit_lines(updater_config(tmp_path, allowPreview=True, shakeMenu=True), "OTA026") == [
        "OTA026 warning <input>:4:7 `allowPreview` is enabled; it is meant for QA builds",
        "OTA026 warning <input>:5:7 `shakeMenu` is enabled; it is meant for QA builds",
    ]


def test_ota026_allows_a_string_true(tmp_path):
    assert audit_lines(updater_config(tmp_path, shakeMenu="false", allowShakeChannelSelector=False), "OTA026") == []


def test_ota027_flags_local_endpoints(tmp_path):
    assert audit_lines(updater_config(tmp_path, localApi="http://192.168.1.20:54321", localHost="https://dev.example.com"), "OTA027") == [
        "OTA027 error <input>:4:7 `localApi` is set to the plain-http URL `http://192.168.1.20:54321`",
        "OTA027 warning <input>:5:7 `localHost` is set",
    ]


def test_ota027_allows_empty_local_keys(tmp_path):
    assert audit_lines(updater_config(tmp_path, localApi="", localHostx="x"), "OTA027") == []


def test_ota028_flags_reset_disabled(tmp_path):
    assert audit_lines(updater_config(tmp_path, resetWhenUpdate=False), "OTA028") == [
        "OTA028 warning <input>:4:7 `resetWhenUpdate` is false: old OTA bundles survive store updates"
    ]


def test_ota028_allows_reset_enabled(tmp_path):
    assert audit_lines(updater_config(tmp_path, resetWhenUpdate=True), "OTA028") == []


def test_ota029_flags_short_timeout_and_kept_failures(tmp_path):
    assert audit_lines(updater_config(tmp_path, appReadyTimeout=500, autoDeleteFailed=False), "OTA029") == [
        "OTA029 note <input>:4:7 `appReadyTimeout` is 500 ms, below the 1000 ms Android clamps to",
        "OTA029 note <input>:5:7 `autoDeleteFailed` is false: failed bundles stay on the device",
    ]


def test_ota029_allows_the_clamp_value(tmp_path):
    assert audit_lines(updater_config(tmp_path, appReadyTimeout=1000, autoDeleteFailed=True), "OTA029") == []


def test_ota030_flags_server_url(tmp_path):
    assert audit_lines(core_config(tmp_path, {"server": {"url": "http://192.168.1.10:5173"}}), "OTA030") == [
        "OTA030 error <input>:3:5 `server.url` loads the app from `http://192.168.1.10:5173`"
    ]


def test_ota030_flags_server_url_in_a_ts_config_at_the_key(tmp_path):
    path = tmp_path / "capacitor.config.ts"
    path.write_text("const config: CapacitorConfig = {\n  appId: 'a',\n  server: { url: 'http://x' },\n};\nexport default config;\n", encoding="utf-8")
    assert audit_lines(path, "OTA030") == ["OTA030 error <input>:3:13 `server.url` loads the app from `http://x`"]


def test_ota030_allows_other_server_keys(tmp_path):
    assert audit_lines(core_config(tmp_path, {"server": {"hostname": "app.example.com", "url": ""}}), "OTA030") == []


def test_ota031_flags_cleartext_and_mixed_content(tmp_path):
    assert audit_lines(core_config(tmp_path, {"server": {"cleartext": True}, "android": {"allowMixedContent": True}}), "OTA031") == [
        "OTA031 warning <input>:3:5 `server.cleartext` is true",
        "OTA031 warning <input>:6:5 `android.allowMixedContent` is true",
    ]


def test_ota031_allows_false(tmp_path):
    assert audit_lines(core_config(tmp_path, {"server": {"cleartext": False}, "android": {"allowMixedContent": False}}), "OTA031") == []


def test_ota032_flags_wildcards(tmp_path):
    assert audit_lines(core_config(tmp_path, {"server": {"allowNavigation": ["*", "*.com"]}}), "OTA032") == [
        "OTA032 warning <input>:4:7 `allowNavigation` entry `*` matches any host",
        "OTA032 warning <input>:5:7 `allowNavigation` entry `*.com` matches any host",
    ]


def test_ota032_allows_a_subdomain_wildcard(tmp_path):
    assert audit_lines(core_config(tmp_path, {"server": {"allowNavigation": ["*.example.com", "example.org"]}}), "OTA032") == []


def test_ota033_flags_webview_debugging(tmp_path):
    assert audit_lines(core_config(tmp_path, {"android": {"webContentsDebuggingEnabled": True}}), "OTA033") == [
        "OTA033 warning <input>:3:5 `android.webContentsDebuggingEnabled` is true"
    ]


def test_ota033_allows_debugging_off(tmp_path):
    assert audit_lines(core_config(tmp_path, {"ios": {"webContentsDebuggingEnabled": False}}), "OTA033") == []


TS_COMPUTED = """import type { CapacitorConfig } from '@capacitor/cli';

const config: CapacitorConfig = {
  appId: 'com.example.app',
  plugins: {
    CapacitorUpdater: {
      updateUrl: process.env.UPDATE_URL,
      publicKey: `${KEY}`,
    },
  },
};

export default config;
"""


def test_ota034_flags_computed_values_and_other_rules_stay_quiet(tmp_path):
    path = tmp_path / "capacitor.config.ts"
    path.write_text(TS_COMPUTED, encoding="utf-8")
    assert audit_lines(path, "OTA") == [
        "OTA034 note <input>:7:7 `/plugins/CapacitorUpdater/updateUrl` is computed (`process.env.UPDATE_URL`); not checked",
        "OTA034 note <input>:8:7 `/plugins/CapacitorUpdater/publicKey` is computed (`` `${KEY}` ``); not checked",
    ]


def test_ota034_allows_literal_templates_and_constants(tmp_path):
    path = tmp_path / "capacitor.config.ts"
    text = TS_COMPUTED.replace("process.env.UPDATE_URL", "URL").replace("`${KEY}`", "`-----BEGIN RSA PUBLIC KEY-----`")
    path.write_text("const URL = 'https://u.example.com/api' as const;\n" + text, encoding="utf-8")
    assert audit_lines(path, "OTA034") == []


# --- update response --------------------------------------------------------------------------


def test_ota040_flags_http_bundle_url(tmp_path):
    path = response(tmp_path, version="1.0.0", url="http://cdn.example.com/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA040") == ["OTA040 error <input>:3:3 bundle `url` `http://cdn.example.com/1.zip` is not https:"]


def test_ota040_allows_https_in_capitals(tmp_path):
    assert audit_lines(response(tmp_path, version="1.0.0", url="HTTPS://cdn.example.com/1.zip", checksum="ab" * 32), "OTA040") == []


def test_ota041_flags_a_missing_checksum(tmp_path):
    assert audit_lines(response(tmp_path, version="1.0.0", url="https://x/1.zip"), "OTA041") == ["OTA041 error <input>:1:1 the response has no `checksum`"]


def test_ota041_flags_a_short_encrypted_checksum(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32, session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA041") == ["OTA041 error <input>:4:3 encrypted `checksum` decodes to 32 bytes; an RSA-2048 signature is 256 bytes"]


def test_ota041_flags_a_non_hex_plain_checksum(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="sha256-abc")
    assert audit_lines(path, "OTA041") == ["OTA041 error <input>:4:3 `checksum` `sha256-abc` is not a SHA-256 hex digest"]


def test_ota041_allows_a_256_byte_encrypted_checksum(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="0f" * 256, session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA041") == []


APP_WITH_KEY = {"plugins": {"CapacitorUpdater": {"publicKey": "-----BEGIN RSA PUBLIC KEY-----"}}}


def test_ota042_flags_a_plain_checksum_for_an_app_with_a_key(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA042", settings={"capacitor_config": APP_WITH_KEY}) == [
        "OTA042 error <input>:1:1 no `session_key`: the app has a `publicKey` but will accept this bundle unverified"
    ]


def test_ota042_flags_a_malformed_session_key(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="0f" * 256, session_key="nocolon")
    assert audit_lines(path, "OTA042", settings={"capacitor_config": APP_WITH_KEY}) == [
        "OTA042 error <input>:5:3 `session_key` is not `base64(iv):base64(encrypted key)`"
    ]


def test_ota042_flags_a_plain_response_as_a_note_without_the_app_config(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA042") == [
        "OTA042 note <input>:1:1 no `session_key`: unsigned unless the app has no `publicKey` (pass --capacitor-config to check)"
    ]


def test_ota042_allows_a_plain_response_for_an_app_without_a_key(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA042", settings={"capacitor_config": {"plugins": {"CapacitorUpdater": {}}}}) == []


def test_ota042_allows_a_session_key(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="0f" * 256, session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA042", settings={"capacitor_config": APP_WITH_KEY}) == []



JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
    | st.sampled_from(["http://x", "https://127.0.0.1", "-----BEGIN RSA PUBLIC KEY-----\nAA==\n-----END RSA PUBLIC KEY-----", "*"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
CONFIG_KEYS = ["updateUrl", "statsUrl", "publicKey", "privateKey", "allowModifyUrl", "appReadyTimeout", "localApi", "server", "android", "plugins"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(CONFIG_KEYS), JSON_VALUES, max_size=5), st.dictionaries(st.sampled_from(["url", "checksum", "session_key", "version"]), JSON_VALUES, min_size=1, max_size=4))
def test_any_config_or_response_values_never_crash_a_rule(tmp_path, updater, members):
    config = core_config(tmp_path, {**updater, "plugins": {"CapacitorUpdater": updater}})
    assert not [line for line in audit_lines(config, "OTA") if line.startswith("AUD")]
    members.setdefault("url", "https://x/1.zip")
    path = response(tmp_path, **members)
    lines = audit_lines(path, "OTA", settings={"capacitor_config": {"plugins": {"CapacitorUpdater": updater}}, "previous_version": "1.0.0"})
    assert not [line for line in lines if line.startswith("AUD")]


def test_ota035_flags_a_duplicate_url_in_a_response(tmp_path):
    path = tmp_path / "response.json"
    path.write_text('{"version": "1.0.0",\n "url": "https://a/1.zip",\n "url": "http://b/1.zip", "checksum": "00"}', encoding="utf-8")
    assert audit_lines(path, "OTA035") == ["OTA035 warning <input>:3:2 key `/url` appears more than once; the last one wins"]


def test_ota035_flags_a_duplicate_config_key(tmp_path):
    path = tmp_path / "capacitor.config.json"
    path.write_text('{"server": {"url": "", "url": "http://x"}}', encoding="utf-8")
    assert audit_lines(path, "OTA035,OTA030") == [
        "OTA030 error <input>:1:24 `server.url` loads the app from `http://x`",
        "OTA035 warning <input>:1:24 key `/server/url` appears more than once; the last one wins",
    ]


def test_ota035_allows_the_same_key_in_different_objects(tmp_path):
    path = core_config(tmp_path, {"server": {"url": ""}, "plugins": {"X": {"url": ""}}})
    assert audit_lines(path, "OTA035") == []
