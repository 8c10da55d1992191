"""OTA config rules (OTA020-OTA035): the Capacitor config as the updater reads it."""

from __future__ import annotations

import pytest
from helpers import audit_lines
from ota_inputs import core_config, make_rsa_keys, updater_config


@pytest.fixture(scope="module")
def rsa_keys():
    return make_rsa_keys()


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
        "OTA022 error <input>:4:7 `publicKey` is a 1024-bit RSA key; iOS stops the app (`fatalError`) unless it is 2048 bits"
    ]


def test_ota022_flags_a_truncated_key(tmp_path, rsa_keys):
    lines = audit_lines(updater_config(tmp_path, publicKey=rsa_keys[2048][:200]), "OTA022")
    assert len(lines) == 1 and lines[0].startswith("OTA022 error <input>:4:7 `publicKey` is not a parseable PKCS#1 RSA public key")


def test_ota022_flags_a_leading_newline_that_silently_disables_decryption(tmp_path, rsa_keys):
    assert audit_lines(updater_config(tmp_path, publicKey="\n" + rsa_keys[2048]), "OTA022") == [
        "OTA022 error <input>:4:7 `publicKey` starts with whitespace before `-----BEGIN RSA PUBLIC KEY-----`: both platforms then silently skip decryption"
    ]


def test_ota022_flags_literal_newline_escapes_that_crash_android(tmp_path, rsa_keys):
    escaped = rsa_keys[2048].strip().replace("\n", "\\n")
    assert audit_lines(updater_config(tmp_path, publicKey=escaped), "OTA022") == [
        "OTA022 error <input>:4:7 `publicKey` holds literal `\\n` escapes instead of newlines: Android fails to load it and the app crashes at start"
    ]


def test_ota022_allows_a_computed_key_in_a_ts_config_leaving_a_note(tmp_path):
    path = tmp_path / "capacitor.config.ts"
    path.write_text("export default { plugins: { CapacitorUpdater: { publicKey: process.env.CAPGO_PUBLIC_KEY } } };\n", encoding="utf-8")
    assert audit_lines(path, "OTA022,OTA034") == ["OTA034 note <input>:1:49 `/plugins/CapacitorUpdater/publicKey` is computed (`process.env.CAPGO_PUBLIC_KEY`); not checked"]


def test_ota022_allows_a_key_without_a_final_newline(tmp_path, rsa_keys):
    assert audit_lines(updater_config(tmp_path, publicKey=rsa_keys[2048].strip()), "OTA022") == []


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
        "OTA027 warning <input>:4:7 `localApi` is set to the plain-http URL `http://192.168.1.20:54321`; only the Capgo CLI reads it, never the app",
        "OTA027 warning <input>:5:7 `localHost` is set; only the Capgo CLI reads it, never the app",
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


