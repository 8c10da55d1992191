"""OTA integrity and response rules (OTA012-OTA016, OTA040-OTA042): checksums as the device compares them, every response shape."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib

import pytest
from helpers import audit_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ota_inputs import bundle, capgo_key_pair, core_config, make_rsa_keys, private_encrypt, response
from zipcraft import APP


@pytest.fixture(scope="module")
def rsa_keys():
    return make_rsa_keys()


def test_ota012_flags_a_sha256_of_another_zip(tmp_path):
    path = bundle(tmp_path, APP)
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert audit_lines(path, "OTA012", settings={"checksum": "ab" * 32}) == [f"OTA012 error <input> SHA-256 of the zip is `{actual}`, not `{'ab' * 32}`"]


def test_ota012_flags_a_value_that_is_no_checksum(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA012", settings={"checksum": "xyz"}) == [
        "OTA012 error <input> checksum `xyz` is neither a lower-case SHA-256 (64 hex digits) nor a 256-byte encrypted checksum"
    ]


def test_ota012_flags_the_right_sha256_in_capitals(tmp_path):
    path = bundle(tmp_path, APP)
    digest = hashlib.sha256(path.read_bytes()).hexdigest().upper()
    assert audit_lines(path, "OTA012", settings={"checksum": digest}) == [
        f"OTA012 error <input> checksum `{digest}` is upper-case hex: the device computes lower-case SHA-256 hex and compares case-sensitively, so every device refuses it"
    ]


def test_ota012_allows_the_right_lower_case_sha256(tmp_path):
    path = bundle(tmp_path, APP)
    assert audit_lines(path, "OTA012", settings={"checksum": hashlib.sha256(path.read_bytes()).hexdigest()}) == []


def test_ota013_flags_a_matching_crc32(tmp_path):
    path = bundle(tmp_path, APP)
    crc = f"{zlib.crc32(path.read_bytes()):08x}"
    assert audit_lines(path, "OTA012,OTA013", settings={"checksum": crc}) == [f"OTA013 error <input> checksum `{crc}` is a CRC32: updater 8.x computes only SHA-256 and refuses it on every device"]


def test_ota013_flags_a_crc32_in_a_response(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://cdn.example.com/1.zip", checksum="9a0364b9")
    assert audit_lines(path, "OTA013") == ["OTA013 error <input>:4:3 checksum `9a0364b9` is a CRC32: updater 8.x computes only SHA-256 and refuses it on every device"]


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


# --- update response --------------------------------------------------------------------------


def test_ota040_flags_http_bundle_url(tmp_path):
    path = response(tmp_path, version="1.0.0", url="http://cdn.example.com/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA040") == ["OTA040 error <input>:3:3 bundle `url` `http://cdn.example.com/1.zip` is not https:"]


def test_ota040_allows_https_in_capitals(tmp_path):
    assert audit_lines(response(tmp_path, version="1.0.0", url="HTTPS://cdn.example.com/1.zip", checksum="ab" * 32), "OTA040") == []


def test_ota041_flags_a_missing_checksum(tmp_path):
    assert audit_lines(response(tmp_path, version="1.0.0", url="https://x/1.zip"), "OTA041") == ["OTA041 error <input>:1:1 the response has no `checksum`: an app with a `publicKey` refuses it (`checksum_required`), one without installs it unchecked"]


def test_ota041_flags_a_short_encrypted_checksum(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32, session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA041") == ["OTA041 error <input>:4:3 encrypted `checksum` decodes to 32 bytes; an RSA-2048 signature is 256 bytes"]


def test_ota041_flags_a_non_hex_plain_checksum(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="sha256-abc")
    assert audit_lines(path, "OTA041") == ["OTA041 error <input>:4:3 `checksum` `sha256-abc` is neither a lower-case SHA-256 (64 hex digits) nor a 256-byte encrypted checksum"]


def test_ota041_allows_a_256_byte_encrypted_checksum(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="0f" * 256, session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA041") == []


APP_WITH_KEY = {"plugins": {"CapacitorUpdater": {"publicKey": "-----BEGIN RSA PUBLIC KEY-----"}}}


def test_ota042_flags_a_plain_checksum_for_an_app_with_a_key(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA042", settings={"capacitor_config": APP_WITH_KEY}) == [
        "OTA042 error <input>:1:1 no `session_key` for an app with a `publicKey`: updater 8.51.23 refuses it on Android and iOS (`session_key_required`); Android up to 8.51.22 installed it with only the plain checksum checked"
    ]


def test_ota042_flags_a_malformed_session_key(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="0f" * 256, session_key="nocolon")
    assert audit_lines(path, "OTA042", settings={"capacitor_config": APP_WITH_KEY}) == [
        "OTA042 error <input>:5:3 `session_key` is not `base64(iv):base64(encrypted key)`"
    ]


def test_ota042_flags_a_plain_response_as_a_note_without_the_app_config(tmp_path):
    path = response(tmp_path, version="1.0.0", url="https://x/1.zip", checksum="ab" * 32)
    assert audit_lines(path, "OTA042") == [
        "OTA042 note <input>:1:1 no `session_key`: refused by 8.51.23 if the app has a `publicKey`, unsigned if it has none (pass --capacitor-config to check)"
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


# --- the encrypted checksum, as `bundle encrypt` prints it and the device decrypts it -----------


@pytest.fixture(scope="module")
def capgo_keys():
    return capgo_key_pair()


def app_config(public_key: str) -> dict:
    return {"plugins": {"CapacitorUpdater": {"publicKey": public_key}}}


def test_ota012_allows_the_v3_encrypted_checksum_of_this_zip(tmp_path, capgo_keys):
    key, public = capgo_keys
    path = bundle(tmp_path, APP)
    encrypted = private_encrypt(key, hashlib.sha256(path.read_bytes()).digest()).hex()
    assert audit_lines(path, "OTA012", settings={"checksum": encrypted, "capacitor_config": app_config(public)}) == []
    assert audit_lines(path, "OTA012", settings={"checksum": encrypted}) == []  # without the key: a valid shape, not checked


def test_ota012_flags_an_encrypted_checksum_of_another_zip(tmp_path, capgo_keys):
    key, public = capgo_keys
    path = bundle(tmp_path, APP)
    other = hashlib.sha256(b"another zip").hexdigest()
    encrypted = base64.b64encode(private_encrypt(key, bytes.fromhex(other))).decode()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert audit_lines(path, "OTA012", settings={"checksum": encrypted, "capacitor_config": app_config(public)}) == [
        f"OTA012 error <input> checksum `{encrypted[:80]}` decrypts to `{other}`, but the zip's SHA-256 is `{sha}`"
    ]


def test_ota012_flags_the_v2_checksum_format_8x_devices_refuse(tmp_path, capgo_keys):
    key, public = capgo_keys
    path = bundle(tmp_path, APP)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    encrypted = base64.b64encode(private_encrypt(key, base64.b64decode(sha))).decode()  # encryptChecksum: the hex read as base64
    lines = audit_lines(path, "OTA012", settings={"checksum": encrypted, "capacitor_config": app_config(public)})
    assert lines == [f"OTA012 error <input> checksum `{encrypted[:80]}` is the V2 encrypted checksum (the hex digest read as base64); 8.x devices compare it as hex and refuse it: encrypt with a CLI that sees updater 8.x"]


def test_ota012_flags_a_checksum_encrypted_with_another_key(tmp_path, capgo_keys):
    _, public = capgo_keys
    other_key, _ = capgo_key_pair()
    path = bundle(tmp_path, APP)
    encrypted = private_encrypt(other_key, hashlib.sha256(path.read_bytes()).digest()).hex()
    assert audit_lines(path, "OTA012", settings={"checksum": encrypted, "capacitor_config": app_config(public)}) == [
        f"OTA012 error <input> checksum `{encrypted[:80]}` the encrypted checksum fails on the device: it does not decrypt under the app's `publicKey` (InvalidSignature)"
    ]


# --- every response shape ------------------------------------------------------------------------


def test_ota041_allows_the_no_update_answer(tmp_path):
    path = response(tmp_path, error="no_new_version_available", message="No new version available", kind="up_to_date")
    assert audit_lines(path, "OTA") == []


def test_ota041_flags_a_delta_manifest_with_http_and_upper_case_hashes(tmp_path):
    digest = hashlib.sha256(b"x").hexdigest()
    path = tmp_path / "delta.json"
    path.write_text(json.dumps({"version": "1.2.0", "url": "https://x.example/placeholder", "manifest": [
        {"file_name": "app.js", "file_hash": digest.upper(), "download_url": "https://cdn.example/app.js"},
        {"file_name": "index.html", "file_hash": digest, "download_url": "http://cdn.example/index.html"},
    ]}, indent=2), encoding="utf-8")
    lines = audit_lines(path, "OTA041")
    assert [line.split(" ", 3)[3] for line in lines] == [
        f"`manifest/0/file_hash` `{digest.upper()}` is neither a lower-case SHA-256 hex digest nor a 256-byte encrypted hash",
        "`manifest/1/download_url` `http://cdn.example/index.html` is not https:",
    ]


def test_ota041_allows_a_delta_manifest_without_a_bundle_checksum(tmp_path, capgo_keys):
    digest = hashlib.sha256(b"x").hexdigest()
    encrypted = private_encrypt(capgo_keys[0], bytes.fromhex(digest)).hex()  # what an encrypted delta upload sends
    path = response(tmp_path, version="1.2.0", url="https://x.example/p", manifest=[
        {"file_name": "a.js", "file_hash": digest, "download_url": "https://cdn.example/a.js"},
        {"file_name": "b.js", "file_hash": encrypted, "download_url": "https://cdn.example/b.js"},
    ])
    assert audit_lines(path, "OTA041") == []


def test_ota041_flags_an_upper_case_plain_checksum(tmp_path):
    digest = hashlib.sha256(b"x").hexdigest().upper()
    path = response(tmp_path, version="1.2.0", url="https://x.example/b.zip", checksum=digest)
    assert audit_lines(path, "OTA041") == [
        f"OTA041 error <input>:4:3 `checksum` `{digest}` is upper-case hex: the device computes lower-case SHA-256 hex and compares case-sensitively, so every device refuses it"
    ]


def test_ota042_flags_a_session_key_for_an_app_without_public_key(tmp_path):
    path = response(tmp_path, version="1.2.0", url="https://x.example/b.zip", checksum="ab" * 256, session_key="aXY=:a2V5")
    assert audit_lines(path, "OTA042", settings={"capacitor_config": {"plugins": {"CapacitorUpdater": {}}}}) == [
        "OTA042 error <input>:5:3 `session_key` for an app without `publicKey`: the device cannot decrypt the bundle and every update fails"
    ]


def test_ota042_allows_the_no_update_answer_for_an_app_with_a_key(tmp_path, capgo_keys):
    path = response(tmp_path, error="no_new_version_available", message="none", kind="up_to_date")
    assert audit_lines(path, "OTA042", settings={"capacitor_config": app_config(capgo_keys[1])}) == []


def test_ota040_allows_the_placeholder_url_of_a_delta_response(tmp_path):
    digest = hashlib.sha256(b"x").hexdigest()
    path = response(tmp_path, version="1.2.0", url="manifest", manifest=[{"file_name": "a.js", "file_hash": digest, "download_url": "https://cdn.example/a.js"}])
    assert audit_lines(path, "OTA040,OTA041") == []
