"""The Web Bundle ID parser and the Ed25519 point arithmetic behind SIG009, checked exactly.

Written from the survivors of `benchmarks/mutation.py --module
auditor/chrome/signatures.py`: each test kills a mutant that the rule-level
tests let through (see that script's docstring).
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from builders import build_wbn, ecdsa_key, ed25519_key, public_bytes, sign, simple_app
from helpers import audit_lines

from auditor.chrome.signatures import (
    ED25519_D,
    ED25519_P,
    _ed25519_double,
    _ed25519_point,
    derive_web_bundle_id,
    parse_web_bundle_id,
    verify,
)
from auditor.engine.model import SignatureType

ED_KEYS = [public_bytes(ed25519_key(seed)) for seed in range(1, 17)]
EC_KEY = public_bytes(ecdsa_key(1))


def b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").lower()


def test_parse_returns_the_kind_and_key_of_each_id():
    assert parse_web_bundle_id(derive_web_bundle_id(SignatureType.ED25519, ED_KEYS[0])) == ("ed25519", ED_KEYS[0])
    assert parse_web_bundle_id(derive_web_bundle_id(SignatureType.ECDSA_P256, EC_KEY)) == ("ecdsa-p256", EC_KEY)
    assert parse_web_bundle_id(b32(ED_KEYS[0] + bytes.fromhex("000002"))) == ("proxy", ED_KEYS[0])


def test_an_upper_case_x_is_not_a_base32_letter():
    text = derive_web_bundle_id(SignatureType.ED25519, ED_KEYS[0])
    spot = next(i for i, c in enumerate(text) if c in "abcdefghijklmnopqrstuvwyz")
    assert parse_web_bundle_id(text[:spot] + "X" + text[spot + 1 :]) == "only lower-case base32 characters a-z and 2-7 are allowed (no padding)"


def test_the_ecdsa_length_does_not_make_any_suffix_ecdsa():
    # 36 bytes (58 characters, an ECDSA ID's length) ending in the Ed25519 suffix
    assert parse_web_bundle_id(b32(EC_KEY + bytes.fromhex("000102"))) == "unknown type suffix 000102"


def test_a_proxy_suffix_at_the_ecdsa_length_is_no_proxy_id():
    assert parse_web_bundle_id(b32(EC_KEY + bytes.fromhex("000002"))) == "unknown type suffix 000002"


def test_sig003_flags_a_proxy_id(tmp_path: Path):
    proxy = b32(ED_KEYS[0] + bytes.fromhex("000002"))
    path = tmp_path / "app.swbn"
    path.write_bytes(sign(build_wbn(simple_app()), [ed25519_key(1)], web_bundle_id_override=proxy))
    assert audit_lines(path, "SIG003") == [f"SIG003 error <input>@15 `webBundleId` `{proxy}` is a dev-mode proxy ID, never valid for a bundle"]


def test_verify_refuses_a_malformed_key_before_the_library_sees_it():
    assert verify(SignatureType.ECDSA_P256, b"\x04" + EC_KEY[1:], bytes(70), b"payload") == (
        "ECDSA P-256 public key is not a compressed point (must start with 02 or 03)"
    )
    assert verify(SignatureType.ED25519, ED_KEYS[0], bytes(63), b"payload") == "Ed25519 signature is 63 bytes; expected 64"


def on_curve(point: tuple[int, int]) -> bool:
    x, y = point
    return (-x * x + y * y - 1 - ED25519_D * x * x * y * y) % ED25519_P == 0


def encode(point: tuple[int, int]) -> bytes:
    x, y = point
    return (y | (x & 1) << 255).to_bytes(32, "little")


@pytest.mark.parametrize("key", ED_KEYS, ids=lambda k: k.hex()[:8])
def test_a_real_key_decodes_to_the_point_it_encodes(key):
    point = _ed25519_point(key)
    assert point is not None and on_curve(point)
    assert encode(point) == key  # the sign bit chooses x, not -x


def test_both_square_root_branches_are_exercised():
    # the key set holds points whose first root candidate fails (the sqrt(-1) branch) and points where it holds
    def first_candidate_holds(key: bytes) -> bool:
        y = int.from_bytes(key, "little") & ((1 << 255) - 1)
        u, v = (y * y - 1) % ED25519_P, (ED25519_D * y * y + 1) % ED25519_P
        x = u * pow(v, 3, ED25519_P) * pow(u * pow(v, 7, ED25519_P), (ED25519_P - 5) // 8, ED25519_P) % ED25519_P
        return (v * x * x - u) % ED25519_P == 0

    assert {first_candidate_holds(k) for k in ED_KEYS} == {True, False}


@pytest.mark.parametrize("key", ED_KEYS[:4], ids=lambda k: k.hex()[:8])
def test_doubling_stays_on_the_curve(key):
    point = _ed25519_point(key)
    for _ in range(3):
        point = _ed25519_double(point)
        assert on_curve(point)
