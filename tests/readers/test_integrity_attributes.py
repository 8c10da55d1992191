"""The integrity block's attribute reader: each value class Chrome refuses, next to the nearest one it accepts."""

from __future__ import annotations

import cbor2
import pytest

from auditor.engine.errors import Malformed, Truncated
from auditor.readers.cbor import CborReader
from auditor.readers.integrity_attributes import is_noncharacter, noncharacter_in, read_attribute_map


def read(data: bytes) -> tuple[dict, int, list[tuple[str, str, int | None, int | None]]]:
    problems: list = []
    attributes, end = read_attribute_map(CborReader(data), 0, "attrs", problems)
    return attributes, end, [(p.code, p.message, p.offset, p.length) for p in problems]


def one(value: object) -> bytes:
    return cbor2.dumps({"k": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (0, 0),
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        (-1, -1),
        (b"\x00\xff", b"\x00\xff"),
        ("", ""),
        ("\ufdcf\ufdf0\ufffd", "\ufdcf\ufdf0\ufffd"),  # next to the noncharacter ranges, but not in them
    ],
)
def test_accepts_what_chrome_accepts(value, expected):
    data = one(value)
    assert read(data) == ({"k": expected}, len(data), [])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (one(None), "attrs: attribute `k` is `null`; Chrome accepts only integers, byte strings, text and booleans"),
        (one(cbor2.undefined), "attrs: attribute `k` is `undefined`; Chrome accepts only integers, byte strings, text and booleans"),
        (b"\xa1\x61k\xf0", "attrs: attribute `k` is `simple value 16`; Chrome accepts only integers, byte strings, text and booleans"),
        (b"\xa1\x61k\xf8\xff", "attrs: attribute `k` is `simple value 255`; Chrome accepts only integers, byte strings, text and booleans"),
        (one(2**63), "attrs: attribute `k` 9223372036854775808 does not fit in a signed 64-bit integer"),
        (one(2**64 - 1), "attrs: attribute `k` 18446744073709551615 does not fit in a signed 64-bit integer"),
        (one(-(2**63) - 1), "attrs: attribute `k` -9223372036854775809 does not fit in a signed 64-bit integer"),
        (one("a\ufdd0"), "attrs: attribute `k` holds the Unicode noncharacter U+FDD0"),
        (one("\ufdef"), "attrs: attribute `k` holds the Unicode noncharacter U+FDEF"),
        (one("\ufffe"), "attrs: attribute `k` holds the Unicode noncharacter U+FFFE"),
        (one("\U0010ffff"), "attrs: attribute `k` holds the Unicode noncharacter U+10FFFF"),
        (b"\xa1\x61k\x62\xc3\x28", "attrs: attribute `k` is not valid UTF-8"),
        (b"\xa1\x61k\xc1\x00", "attrs: attribute `k` is a tagged item; Chrome accepts only integers, byte strings, text and booleans"),
    ],
)
def test_refuses_values_chrome_refuses(data, message):
    attributes, end, problems = read(data)
    assert end == len(data)
    assert attributes == {"k": None}
    assert problems == [("attribute-value", message, 3, len(data) - 3)]


@pytest.mark.parametrize("value", [[1], {"a": 1}, []])
def test_refuses_nested_values(value):
    data = one(value)
    _, end, problems = read(data)
    assert end == len(data)
    assert problems == [("nested-attribute", "attrs: attribute `k` is nested; Chromium: nested attributes are currently not supported", 3, len(data) - 3)]


def test_refuses_noncharacter_in_a_name_and_drops_it():
    data = cbor2.dumps({"a\ufdd0": 1, "b": 2})
    attributes, _, problems = read(data)
    assert attributes == {"b": 2}
    assert problems == [("attribute-name", "attrs: attribute name holds the Unicode noncharacter U+FDD0", 1, 5)]


def test_refuses_a_name_that_is_not_text():
    data = b"\xa2\x01\x02\x61b\x03"
    attributes, end, problems = read(data)
    assert (attributes, end) == ({"b": 3}, len(data))
    assert problems == [("attribute-name", "attrs: an attribute name is not a text string", 1, 1)]


def test_refuses_a_name_that_is_not_utf8():
    data = b"\xa1\x62\xc3\x28\x01"
    attributes, _, problems = read(data)
    assert attributes == {}
    assert problems == [("attribute-name", "attrs: attribute name is not valid UTF-8", 1, 3)]


def test_refuses_duplicate_names_keeping_the_first():
    data = b"\xa2\x61k\x01\x61k\x02"
    attributes, end, problems = read(data)
    assert (attributes, end) == ({"k": 1}, len(data))
    assert problems == [("duplicate-attribute", "attrs: attribute `k` appears twice; Chrome refuses duplicate names", 4, 3)]


def test_reads_on_after_a_duplicate_name():
    """A duplicate is one problem; the rest of the map is still read (and judged) to its end."""
    data = b"\xa3\x61k\x01\x61k\x02\x61z\xf6"  # k, k again, then z: null
    attributes, end, problems = read(data)
    assert end == len(data) and attributes == {"k": 1, "z": None}
    assert [code for code, *_ in problems] == ["duplicate-attribute", "attribute-value"]


def test_does_not_check_key_order():
    data = b"\xa2\x62bb\x01\x61a\x02"  # "bb" before "a": not canonical, and Chrome does not care
    assert read(data) == ({"bb": 1, "a": 2}, len(data), [])


def test_reads_any_number_of_attributes():
    attrs = {f"a{i}": i for i in range(3000)}
    attributes, _, problems = read(cbor2.dumps(attrs))
    assert problems == [] and len(attributes) == 1024 and attributes["a0"] == 0
    keep = cbor2.dumps({**attrs, "webBundleId": "x"})
    assert read(keep)[0]["webBundleId"] == "x"


def test_the_map_head_must_be_a_map_and_fit():
    with pytest.raises(Malformed):
        read(b"\x81\x01")
    with pytest.raises(Truncated):
        read(b"\xa3\x61k\x01")  # declares 3 pairs in 3 bytes


def test_a_value_cut_short_is_truncated():
    with pytest.raises(Truncated):
        read(b"\xa1\x61k\x45ab")


@pytest.mark.parametrize(
    ("code_point", "expected"),
    [(0xFDCF, False), (0xFDD0, True), (0xFDEF, True), (0xFDF0, False), (0xFFFD, False), (0xFFFE, True), (0xFFFF, True), (0x1FFFE, True), (0x10FFFF, True), (0x10FFFD, False), (0xFFFC, False)],
)
def test_noncharacters(code_point, expected):
    assert is_noncharacter(code_point) is expected


def test_noncharacter_in_reports_the_first():
    assert noncharacter_in("ab") is None
    assert noncharacter_in("é\uffff\ufdd0") == "U+FFFF"
    assert noncharacter_in("é") is None


def test_nested_values_and_names_are_skipped_without_the_canonical_order_check():
    """Chrome refuses them as nested attributes; their inner key order must not make the block unreadable."""
    unordered = b"\xa2\x02\x00\x01\x00"
    _, end, problems = read(b"\xa1\x61k" + unordered)
    assert end == 8 and [p[0] for p in problems] == ["nested-attribute"]
    _, end, problems = read(b"\xa1\x61k\xc1" + unordered)
    assert end == 9 and [p[0] for p in problems] == ["attribute-value"]
    _, end, problems = read(b"\xa1" + unordered + b"\x01")
    assert end == 7 and [p[0] for p in problems] == ["attribute-name"]
    _, end, problems = read(b"\xa1\x01" + unordered)
    assert end == 7 and [p[0] for p in problems] == ["attribute-name"]
