"""The CBOR reader's strictness checks and limits, and the key/signature pre-checks: each at its boundary.

Written so that flipping any comparison or dropping any check in
auditor/readers/cbor.py or auditor/chrome/signatures.py fails a test here
(benchmarks/mutation.py runs that check).
"""

from __future__ import annotations

import pytest

from auditor.chrome.signatures import key_problem, parse_web_bundle_id
from auditor.engine.errors import LimitExceeded, Malformed, Truncated
from auditor.engine.model import SignatureType
from auditor.readers.cbor import CborReader, Head


def skip(data: bytes, **kwargs) -> int:
    return CborReader(data, **kwargs).skip(0)


@pytest.mark.parametrize(
    ("data", "end"),
    [
        (b"\x17", 1),                      # 23 inline
        (b"\x18\x18", 2),                  # 24: the smallest one-byte argument
        (b"\x19\x01\x00", 3),              # 256: the smallest two-byte argument
        (b"\x1a\x00\x01\x00\x00", 5),      # 65536
        (b"\x1b\x00\x00\x00\x01\x00\x00\x00\x00", 9),  # 2**32
        (b"\x40", 1), (b"\x60", 1), (b"\x80", 1), (b"\xa0", 1),
        (b"\xf4", 1), (b"\xf5", 1), (b"\xf6", 1), (b"\xf7", 1),
        (b"\xa2\x01\x00\x02\x00", 5),      # canonical order
        (b"\xa2\x61a\x00\x62aa\x00", 8),   # shorter key first
    ],
)
def test_accepts_minimal_definite_items(data, end):
    assert skip(data) == end


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x18\x17", "non-minimal encoding of 23"),
        (b"\x19\x00\xff", "non-minimal encoding of 255"),
        (b"\x1a\x00\x00\xff\xff", "non-minimal encoding of 65535"),
        (b"\x1b\x00\x00\x00\x00\xff\xff\xff\xff", "non-minimal encoding of 4294967295"),
        (b"\xf8\x1f", "non-minimal encoding of 31"),
        (b"\x5f", "indefinite length (0x5f) is not allowed"),
        (b"\x1c", "reserved additional information (0x1c) is not allowed"),
        (b"\xf9\x00\x00", "floating-point values are not allowed"),
        (b"\xfb" + bytes(8), "floating-point values are not allowed"),
        (b"\xc0\x00", "tags are not allowed"),
        (b"\xf0", "simple value 16 is not allowed"),
        (b"\xf8\x20", "simple value 32 is not allowed"),
        (b"\xa2\x02\x00\x01\x00", "map keys out of canonical order"),
        (b"\xa2\x62aa\x00\x61b\x00", "map keys out of canonical order"),
        (b"\xa2\x01\x00\x01\x00", "duplicate map key"),
        (b"\x62\xc3\x28", "text string is not valid UTF-8"),
    ],
)
def test_refuses_what_chromium_refuses(data, message):
    with pytest.raises(Malformed, match=message.replace("(", r"\(").replace(")", r"\)")):
        skip(data)


def test_key_order_is_not_checked_when_not_canonical():
    assert CborReader(b"\xa2\x02\x00\x01\x00").skip(0, canonical=False) == 5


@pytest.mark.parametrize("data", [b"", b"\x18", b"\x19\x01", b"\x42a", b"\x82\x00", b"\xa1\x00", b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff"])
def test_lengths_are_checked_before_reading(data):
    with pytest.raises(Truncated):
        skip(data)


def test_truncation_message_counts_what_remains():
    with pytest.raises(Truncated, match="needs 3 bytes but only 1 remain"):
        skip(b"\x43a")
    with pytest.raises(Truncated) as error:
        CborReader(b"\x43a", base=10).skip(10)
    assert error.value.offset == 11


def test_map_length_is_checked_before_reading_pairs():
    with pytest.raises(Truncated, match=r"map of 2\) needs 4 bytes but only 3 remain"):
        skip(b"\xa2\x00\x00\x00")


def test_depth_limit_is_reached_exactly():
    assert skip(b"\x81" * 3 + b"\x00", max_depth=3) == 4
    with pytest.raises(LimitExceeded, match="nesting deeper than 3"):
        skip(b"\x81" * 4 + b"\x00", max_depth=3)


def test_item_limit_when_set_and_none_by_default():
    assert skip(b"\x83\x00\x00\x00", max_items=4) == 4
    with pytest.raises(LimitExceeded, match="more than 3 CBOR items"):
        skip(b"\x83\x00\x00\x00", max_items=3)
    assert skip(b"\x99\x27\x10" + b"\x00" * 10000) == 10003


def test_decode_validates_then_decodes():
    reader = CborReader(b"\x82\x01\x61a")
    assert reader.decode(0) == ([1, "a"], 4)
    with pytest.raises(Malformed):
        CborReader(b"\x18\x01").decode(0)


def test_expect_names_both_types():
    with pytest.raises(Malformed, match="expected a map, found a unsigned integer"):
        CborReader(b"\x01").expect(0, 5, "x")


ED_KEY, EC_KEY = bytes(32), b"\x02" + bytes(32)


@pytest.mark.parametrize(
    ("kind", "key", "signature", "problem"),
    [
        (SignatureType.ED25519, ED_KEY, bytes(64), None),
        (SignatureType.ED25519, bytes(31), bytes(64), "ed25519 public key is 31 bytes; expected 32"),
        (SignatureType.ED25519, bytes(33), bytes(64), "ed25519 public key is 33 bytes; expected 32"),
        (SignatureType.ED25519, ED_KEY, bytes(63), "Ed25519 signature is 63 bytes; expected 64"),
        (SignatureType.ED25519, ED_KEY, bytes(65), "Ed25519 signature is 65 bytes; expected 64"),
        (SignatureType.ECDSA_P256, EC_KEY, bytes(64), None),
        (SignatureType.ECDSA_P256, EC_KEY, bytes(72), None),
        (SignatureType.ECDSA_P256, b"\x03" + bytes(32), bytes(70), None),
        (SignatureType.ECDSA_P256, EC_KEY, bytes(63), "ECDSA signature is 63 bytes; Chromium accepts DER signatures of 64 to 72 bytes"),
        (SignatureType.ECDSA_P256, EC_KEY, bytes(73), "ECDSA signature is 73 bytes; Chromium accepts DER signatures of 64 to 72 bytes"),
        (SignatureType.ECDSA_P256, b"\x04" + bytes(32), bytes(70), "ECDSA P-256 public key is not a compressed point (must start with 02 or 03)"),
        (SignatureType.ECDSA_P256, b"\x01" + bytes(32), bytes(70), "ECDSA P-256 public key is not a compressed point (must start with 02 or 03)"),
        (SignatureType.ECDSA_P256, bytes(32), bytes(70), "ecdsa-p256 public key is 32 bytes; expected 33"),
        (SignatureType.ECDSA_P256, b"\x02" + bytes(33), bytes(70), "ecdsa-p256 public key is 34 bytes; expected 33"),
    ],
)
def test_key_and_signature_pre_checks(kind, key, signature, problem):
    assert key_problem(kind, key, signature) == problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 55, "length is 55"),
        ("a" * 57, "length is 57"),
        ("A" * 56, "only lower-case base32"),
        ("1" * 56, "only lower-case base32"),
        ("a" * 56, "unknown type suffix"),
    ],
)
def test_web_bundle_id_shape(text, expected):
    result = parse_web_bundle_id(text)
    assert isinstance(result, str) and result.startswith(expected)


# Every refusal names the file and the absolute offset of the offending item (data placed at base 100,
# the third item of an array), and the default label; a finding that points elsewhere misleads the user.
REFUSALS = [
        (b"\x1c", Malformed, 103, "CBOR item: reserved additional information (0x1c) is not allowed"),
        (b"\xf9\x00\x00", Malformed, 103, "CBOR item: floating-point values are not allowed"),
        (b"\x18\x17", Malformed, 103, "CBOR item: non-minimal encoding of 23"),
        (b"\x19\x01", Truncated, 104, "CBOR item head needs 2 bytes but only 1 remain"),
        (b"\x43a", Truncated, 104, "CBOR item needs 3 bytes but only 1 remain"),
        (b"\x63a", Truncated, 104, "CBOR item needs 3 bytes but only 1 remain"),
        (b"\xc0\x00", Malformed, 103, "CBOR item: tags are not allowed"),
        (b"\xf0", Malformed, 103, "CBOR item: simple value 16 is not allowed"),
        (b"\x81" * 17 + b"\x00", LimitExceeded, 119, "CBOR item: nesting deeper than 16 (max_cbor_depth)"),
        (b"\xa2\x01\x00\x01\x00", Malformed, 106, "CBOR item: duplicate map key"),
        (b"\xa2\x02\x00\x01\x00", Malformed, 106, "CBOR item: map keys out of canonical order"),
        (b"\x62a\xff", Malformed, 105, "CBOR item: text string is not valid UTF-8"),
]


@pytest.mark.parametrize(("item", "error", "offset", "reason"), REFUSALS)
def test_a_refusal_names_the_file_and_the_absolute_offset(item, error, offset, reason):
    reader = CborReader(b"\x83\x00\x00" + item, base=100, where="app.swbn")
    with pytest.raises(error) as raised:
        reader.skip(100)
    assert (type(raised.value), raised.value.offset, raised.value.where, raised.value.reason) == (error, offset, "app.swbn", reason)


def test_the_item_limit_names_the_file_and_offset():
    with pytest.raises(LimitExceeded) as raised:
        CborReader(b"\x83\x00\x00\x00", base=7, where="app.swbn", max_items=3).skip(7)
    assert (raised.value.offset, raised.value.where, raised.value.reason) == (10, "app.swbn", "more than 3 CBOR items")


def test_expect_names_the_file_and_offset():
    with pytest.raises(Malformed) as raised:
        CborReader(b"\x00\x01", base=50, where="app.swbn").expect(51, 5, "x")
    assert (raised.value.offset, raised.value.where, raised.value.reason) == (51, "app.swbn", "x: expected a map, found a unsigned integer")


def test_a_head_records_where_it_starts_and_its_big_endian_argument():
    assert CborReader(b"\x00\x19\x01\x02", base=10).head(11) == Head(0, 0x0102, 11, 14)
    assert CborReader(b"\x00\x17", base=10).head(11) == Head(0, 23, 11, 12)


def test_truncation_at_the_very_end_says_none_remain():
    with pytest.raises(Truncated) as raised:
        CborReader(b"\x81", where="app.swbn").skip(0)
    assert (raised.value.offset, raised.value.where, raised.value.reason) == (1, "app.swbn", "CBOR item (array of 1) needs 1 bytes but only 0 remain")


@pytest.mark.parametrize(("item", "error", "offset", "reason"), [row for row in REFUSALS if row[0] != b"\x81" * 17 + b"\x00"])
def test_a_refusal_carries_the_callers_label(item, error, offset, reason):
    with pytest.raises(error) as raised:
        CborReader(b"\x83\x00\x00" + item, base=100).skip(100, what="section `index`")
    assert raised.value.reason == reason.replace("CBOR item", "section `index`")


def test_nested_maps_follow_the_callers_canonical_choice():
    unordered_in_array = b"\x81\xa2\x02\x00\x01\x00"
    unordered_in_map = b"\xa1\x00\xa2\x02\x00\x01\x00"
    unordered_in_key = b"\xa1\xa2\x02\x00\x01\x00\x00"
    for data in (unordered_in_array, unordered_in_map, unordered_in_key):
        assert CborReader(data).skip(0, canonical=False) == len(data)
        with pytest.raises(Malformed, match="map keys out of canonical order"):
            CborReader(data).skip(0)


def test_the_depth_limit_counts_nesting_through_map_keys_and_values():
    through_keys = b"\xa1" * 16 + b"\x00" + b"\x00" * 16  # each map's only key is the next map
    assert skip(through_keys) == len(through_keys)
    with pytest.raises(LimitExceeded, match="nesting deeper than 16"):
        skip(b"\xa1" + through_keys + b"\x00")
    through_values = b"\xa1\x00" * 16 + b"\x00"
    assert skip(through_values) == len(through_values)
    with pytest.raises(LimitExceeded, match="nesting deeper than 16"):
        skip(b"\xa1\x00" + through_values)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xa1\x1c\x00", "L: reserved additional information (0x1c) is not allowed"),  # a key's head
        (b"\xa1\x81\xc0\x00\x00", "L: tags are not allowed"),  # inside a key
        (b"\xa1\x00\x81\xc0\x00", "L: tags are not allowed"),  # inside a value
    ],
)
def test_map_keys_and_values_carry_the_callers_label(data, reason):
    with pytest.raises(Malformed) as raised:
        CborReader(data).skip(0, what="L")
    assert raised.value.reason == reason


OUT_OF_ORDER_MAP = b"\xa2\x61b\x01\x61a\x02"  # {"b": 1, "a": 2}: keys out of canonical order


def test_decode_checks_key_order_by_default_and_only_then():
    """decode() is what sections and section-lengths go through: canonical by default, as Chromium's
    parser requires, and not when the caller asks for no order check (killed mutants: the default
    flipped, `canonical` not passed to skip or passed as None)."""
    with pytest.raises(Malformed, match="canonical order"):
        CborReader(OUT_OF_ORDER_MAP).decode(0)
    assert CborReader(OUT_OF_ORDER_MAP).decode(0, canonical=False) == ({"b": 1, "a": 2}, 7)


def test_decode_passes_the_callers_label_to_its_refusal():
    with pytest.raises(Malformed) as refused:
        CborReader(b"\x61\xff").decode(0, what="section `index`")
    assert refused.value.reason == "section `index`: text string is not valid UTF-8"
