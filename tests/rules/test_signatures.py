"""SIG rules: integrity blocks built to break one thing, each next to the valid neighbour."""

from __future__ import annotations

from pathlib import Path

import cbor2
import pytest
from builders import build_wbn, ecdsa_key, ed25519_key, public_bytes, sign, simple_app, web_bundle_id
from helpers import audit_lines

KEY = ed25519_key(1)
APP_ID = web_bundle_id(KEY)
WBN = build_wbn(simple_app())


def write(tmp_path: Path, data: bytes, name: str = "app.swbn") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def stack_offset(data: bytes) -> int:
    """Offset of the first signature entry (after magic, version and attributes)."""
    attributes = cbor2.dumps({"webBundleId": APP_ID}, canonical=True)
    return data.index(attributes) + len(attributes) + 1


def test_sig001_flags_unsigned_wbn(tmp_path):
    assert audit_lines(write(tmp_path, WBN, "app.wbn"), "SIG001") == [
        "SIG001 error <input>@0 the bundle is not signed (no integrity block); Chrome installs IWAs only from Signed Web Bundles"
    ]


def test_sig001_allows_signed_bundle(tmp_path):
    assert audit_lines(write(tmp_path, sign(WBN, [KEY])), "SIG001") == []


def test_sig002_flags_v1_block(tmp_path):
    data = sign(WBN, [KEY], version=b"1b\x00\x00")
    assert audit_lines(write(tmp_path, data), "SIG002") == [
        "SIG002 error <input>@11 integrity block v1: Chrome rejects it (deprecated since M129); re-sign the app"
    ]


def test_sig002_allows_v2_block(tmp_path):
    assert audit_lines(write(tmp_path, sign(WBN, [KEY])), "SIG002") == []


def test_sig003_flags_upper_case_id(tmp_path):
    data = sign(WBN, [KEY], web_bundle_id_override=APP_ID.upper())
    (line,) = audit_lines(write(tmp_path, data), "SIG003")
    assert line.startswith("SIG003 error <input>@15 `webBundleId` `") and "only lower-case base32" in line


def test_sig003_flags_nested_attribute(tmp_path):
    data = sign(WBN, [KEY], attributes={"extra": {"a": 1}})
    (line,) = audit_lines(write(tmp_path, data), "SIG003")
    assert line == "SIG003 error <input>@22 integrity block attributes: attribute `extra` is nested; Chromium: nested attributes are currently not supported"


def test_sig003_allows_extra_flat_attribute(tmp_path):
    data = sign(WBN, [KEY], attributes={"extra": "x"})
    assert audit_lines(write(tmp_path, data), "SIG003") == []


def test_sig004_flags_unknown_first_signature(tmp_path):
    data = sign(WBN, [], web_bundle_id_override=APP_ID, extra_entries=[({"rsaPublicKey": b"k"}, b"s")])
    assert audit_lines(write(tmp_path, data), "SIG004") == [
        f"SIG004 error <input>@{stack_offset(data)} the first signature has no known type (exactly one of ed25519PublicKey or ecdsaP256SHA256PublicKey); Chrome rejects the bundle"
    ]


def test_sig004_allows_unknown_type_after_a_known_one_as_a_note(tmp_path):
    data = sign(WBN, [KEY], extra_entries=[({"rsaPublicKey": b"k"}, b"s")])
    lines = audit_lines(write(tmp_path, data), "SIG004")
    assert len(lines) == 1 and lines[0].startswith("SIG004 note ") and "signature 1 has an unknown type; Chrome skips it" in lines[0]


def test_sig005_flags_one_changed_payload_byte(tmp_path):
    data = bytearray(sign(WBN, [KEY]))
    at = data.index(b"document.body")
    data[at] ^= 0x20
    lines = audit_lines(write(tmp_path, bytes(data)), "SIG005")
    assert lines == [f"SIG005 error <input>@{stack_offset(bytes(data))} signature 0 (ed25519, key {public_bytes(KEY).hex()[:16]}…): signature does not verify"]


def test_sig005_flags_short_ed25519_signature(tmp_path):
    data = sign(WBN, [], web_bundle_id_override=APP_ID, extra_entries=[({"ed25519PublicKey": public_bytes(KEY)}, b"\x00" * 63)])
    (line,) = audit_lines(write(tmp_path, data), "SIG005")
    assert line.startswith("SIG005 error <input>@") and "64" in line


def test_sig005_allows_valid_ed25519_and_ecdsa(tmp_path):
    data = sign(WBN, [KEY, ecdsa_key(2)])
    assert audit_lines(write(tmp_path, data), "SIG005") == []


def test_sig006_flags_id_of_another_key(tmp_path):
    other = web_bundle_id(ed25519_key(2))
    data = sign(WBN, [KEY], web_bundle_id_override=other)
    assert audit_lines(write(tmp_path, data), "SIG006") == [
        f"SIG006 error <input>@0 `webBundleId` `{other}` does not derive from any signer's key (signers give `{APP_ID}`); "
        "Chrome refuses it unless its key-rotation data (component data, not visible to a static audit) names a signer's key for this ID"
    ]


def test_sig006_allows_id_of_second_signer(tmp_path):
    second = ecdsa_key(3)
    data = sign(WBN, [KEY, second], web_bundle_id_override=web_bundle_id(second))
    assert audit_lines(write(tmp_path, data), "SIG006") == []


def test_sig007_flags_unexpected_id(tmp_path):
    expected = web_bundle_id(ed25519_key(9))
    path = write(tmp_path, sign(WBN, [KEY]))
    assert audit_lines(path, "SIG007", settings={"expect_id": expected}) == [f"SIG007 error <input>@0 Web Bundle ID is `{APP_ID}`, expected `{expected}`"]


def test_sig007_allows_expected_id(tmp_path):
    path = write(tmp_path, sign(WBN, [KEY]))
    assert audit_lines(path, "SIG007", settings={"expect_id": APP_ID}) == []


def test_sig008_flags_ecdsa_signature(tmp_path):
    key = ecdsa_key(1)
    path = write(tmp_path, sign(WBN, [key]))
    assert audit_lines(path, "SIG008") == ["SIG008 note <input>@0 the bundle has an ECDSA P-256 signature; older Chrome releases accepted only one Ed25519 signature"]


def test_sig008_flags_two_signatures(tmp_path):
    path = write(tmp_path, sign(WBN, [KEY, ed25519_key(2)]))
    assert audit_lines(path, "SIG008") == ["SIG008 note <input>@0 the bundle has 2 signatures; older Chrome releases accepted only one Ed25519 signature"]


def test_sig008_allows_single_ed25519(tmp_path):
    assert audit_lines(write(tmp_path, sign(WBN, [KEY])), "SIG008") == []


def test_sig003_flags_null_attribute_value(tmp_path):
    data = sign(WBN, [KEY], attributes={"extra": None})
    at = data.index(b"\x65extra") + 6
    assert audit_lines(write(tmp_path, data), "SIG003") == [
        f"SIG003 error <input>@{at} integrity block attributes: attribute `extra` is `null`; Chrome accepts only integers, byte strings, text and booleans"
    ]


def test_sig003_allows_boolean_and_int64_attribute_values(tmp_path):
    data = sign(WBN, [KEY], attributes={"extra": True, "big": 2**63 - 1, "low": -(2**63), "text": "\ufffd"})
    assert audit_lines(write(tmp_path, data), "SIG003,SIG005,SIG006") == []


def test_sig003_flags_integer_outside_int64(tmp_path):
    data = sign(WBN, [KEY], attributes={"big": 2**63})
    (line,) = audit_lines(write(tmp_path, data), "SIG003")
    assert line.startswith("SIG003 error <input>@") and line.endswith("attribute `big` 9223372036854775808 does not fit in a signed 64-bit integer")


def test_sig003_flags_noncharacter_in_a_signature_entry_name(tmp_path):
    name = cbor2.dumps("x\ufdd0")
    data = sign(WBN, [KEY], entry_extra_raw=((name, b"\x01"),))
    at = data.index(name)
    assert audit_lines(write(tmp_path, data), "SIG003") == [f"SIG003 error <input>@{at} signature 0 attributes: attribute name holds the Unicode noncharacter U+FDD0"]


def test_sig003_flags_duplicate_attribute_names(tmp_path):
    attributes = cbor2.dumps({"webBundleId": APP_ID}, canonical=True)
    raw = b"\xa2" + attributes[1:] + attributes[1:]
    data = sign(WBN, [KEY], attributes_raw=raw)
    at = data.index(raw) + len(attributes)
    assert audit_lines(write(tmp_path, data), "SIG003") == [f"SIG003 error <input>@{at} integrity block attributes: attribute `webBundleId` appears twice; Chrome refuses duplicate names"]


def test_sig003_allows_attributes_out_of_canonical_order(tmp_path):
    raw = b"\xa2" + cbor2.dumps("webBundleId") + cbor2.dumps(APP_ID) + cbor2.dumps("a") + b"\x01"
    data = sign(WBN, [KEY], attributes_raw=raw)
    assert audit_lines(write(tmp_path, data), "SIG003,SIG005,SIG006") == []


def test_attribute_value_problem_is_the_block_rejection(tmp_path):
    from auditor.readers import open_input

    bundle = open_input(write(tmp_path, sign(WBN, [KEY], attributes={"u": cbor2.undefined})))
    assert bundle.integrity.rejection() == "integrity block attributes: attribute `u` is `undefined`; Chrome accepts only integers, byte strings, text and booleans"


IDENTITY = bytes([1]) + bytes(31)
TORSION = [
    IDENTITY,
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    bytes(32),
    bytes(31) + b"\x80",
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
]


def small_order_bundle(key: bytes) -> bytes:
    import base64

    wbid = base64.b32encode(key + bytes.fromhex("000102")).decode().rstrip("=").lower()
    return sign(WBN, [], web_bundle_id_override=wbid, extra_entries=[({"ed25519PublicKey": key}, IDENTITY + bytes(32))])


def test_sig009_flags_the_identity_key_whose_signature_verifies_anything(tmp_path):
    from auditor.chrome.install_verdict import install_verdict
    from auditor.readers import open_input

    data = small_order_bundle(IDENTITY)
    path = write(tmp_path, data)
    entry = data.index(b"\x82\xa1\x70ed25519PublicKey")
    assert audit_lines(path, "SIG") == [
        f"SIG009 note <input>@{entry} signature 0 uses the small-order Ed25519 key 0100000000000000…: a signature by it verifies for any content, so it proves nothing"
    ]
    assert install_verdict(open_input(path)).installs  # Chrome installs it: that is the danger


@pytest.mark.parametrize("key", TORSION[1:], ids=lambda k: k.hex()[:8] + k.hex()[-2:])
def test_sig009_flags_every_torsion_key(tmp_path, key):
    lines = audit_lines(write(tmp_path, small_order_bundle(key)), "SIG009")
    assert len(lines) == 1 and lines[0].startswith("SIG009 note <input>@") and key.hex()[:16] in lines[0]


def test_sig009_allows_real_keys(tmp_path):
    assert audit_lines(write(tmp_path, sign(WBN, [KEY, ecdsa_key(2)])), "SIG009") == []


def test_small_order_check_matches_the_curve():
    from auditor.chrome.signatures import is_small_order
    from auditor.engine.model import SignatureType

    base_point = bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666")
    assert all(is_small_order(SignatureType.ED25519, k) for k in TORSION)
    assert not is_small_order(SignatureType.ED25519, base_point)
    assert not is_small_order(SignatureType.ED25519, public_bytes(KEY))
    assert not is_small_order(SignatureType.ED25519, IDENTITY[:31])  # wrong length
    assert not is_small_order(SignatureType.ECDSA_P256, IDENTITY)
    assert not is_small_order(SignatureType.ED25519, bytes([2]) + bytes(31))  # y = 2 is not on the curve
    # y = p + 1 encodes the identity too (BoringSSL reduces y mod p)
    assert is_small_order(SignatureType.ED25519, bytes.fromhex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))


def test_sig006_says_key_rotation_may_change_the_verdict(tmp_path):
    data = sign(WBN, [KEY], web_bundle_id_override=web_bundle_id(ed25519_key(2)))
    (line,) = audit_lines(write(tmp_path, data), "SIG006")
    assert line.endswith("Chrome refuses it unless its key-rotation data (component data, not visible to a static audit) names a signer's key for this ID")
