"""The attribute maps of an integrity block, read item by item as Chromium's attribute parser does.

Chromium (components/web_package/signed_web_bundles/attribute_map_parser.cc,
with input_reader.cc) reads each attribute name as UTF-8 text and each value
as one of: an integer that fits in int64, a byte string, UTF-8 text, or
`true`/`false`. `null`, `undefined`, other simple values, floats, tags,
arrays and maps are refused, and so is text (value or name) that is not
UTF-8 or holds a Unicode noncharacter (`base::IsStringUTF8`). Names must be
unique; their order is not checked. Every refusal fails the whole block, so
each one becomes a `Problem` at the item's bytes and the SIG rules report it.

The map is walked head by head (never decoded whole), so a block with any
number of attributes is read in one pass without cbor2 building it first.
"""

from __future__ import annotations

from auditor.engine.model import Problem
from auditor.readers.cbor import (
    MAJOR_ARRAY,
    MAJOR_BSTR,
    MAJOR_MAP,
    MAJOR_NINT,
    MAJOR_SIMPLE,
    MAJOR_TAG,
    MAJOR_TSTR,
    MAJOR_UINT,
    CborReader,
)

INT64_MAX = 2**63 - 1
SIMPLE_FALSE, SIMPLE_TRUE, SIMPLE_NULL, SIMPLE_UNDEFINED = 20, 21, 22, 23
SIMPLE_NAMES = {SIMPLE_NULL: "null", SIMPLE_UNDEFINED: "undefined"}
KEPT_VALUES = 1024  # values kept for display beyond the names the reader needs
NEEDED = frozenset({"webBundleId", "ed25519PublicKey", "ecdsaP256SHA256PublicKey"})


def is_noncharacter(code_point: int) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane (U+xxFFFE, U+xxFFFF)."""
    if 0xFDD0 <= code_point <= 0xFDEF:
        return True
    return code_point & 0xFFFE == 0xFFFE


def noncharacter_in(text: str) -> str | None:
    """The first noncharacter in `text` as `U+XXXX`, or None (ASCII text has none)."""
    if text.isascii():
        return None
    for char in text:
        if is_noncharacter(ord(char)):
            return f"U+{ord(char):04X}"
    return None


def read_text(reader: CborReader, pos: int, what: str) -> tuple[str | None, int, str | None]:
    """(text, end, problem) for a text string at `pos`; text is None when Chrome would refuse it."""
    head = reader.expect(pos, MAJOR_TSTR, what)
    end = reader.string_end(head, what)
    try:
        text = reader.raw(head.content, end).decode("utf-8")
    except UnicodeDecodeError:
        return None, end, f"{what} is not valid UTF-8"
    found = noncharacter_in(text)
    if found is not None:
        return None, end, f"{what} holds the Unicode noncharacter {found}"
    return text, end, None


def read_value(reader: CborReader, pos: int, what: str) -> tuple[object, int, tuple[str, str] | None]:
    """(value, end, (problem code, message)) for one attribute value; a problem means Chrome refuses the block."""
    head = reader.head(pos, what)
    if head.major == MAJOR_UINT:
        if head.arg > INT64_MAX:
            return None, head.content, ("attribute-value", f"{what} {head.arg} does not fit in a signed 64-bit integer")
        return head.arg, head.content, None
    if head.major == MAJOR_NINT:
        if head.arg > INT64_MAX:
            return None, head.content, ("attribute-value", f"{what} {-1 - head.arg} does not fit in a signed 64-bit integer")
        return -1 - head.arg, head.content, None
    if head.major == MAJOR_BSTR:
        end = reader.string_end(head, what)
        return reader.raw(head.content, end), end, None
    if head.major == MAJOR_TSTR:
        text, end, problem = read_text(reader, pos, what)
        return text, end, None if problem is None else ("attribute-value", problem)
    if head.major in (MAJOR_ARRAY, MAJOR_MAP):
        end = reader.skip(pos, canonical=False, what=what)
        return None, end, ("nested-attribute", f"{what} is nested; Chromium: nested attributes are currently not supported")
    if head.major == MAJOR_TAG:
        end = reader.skip(head.content, canonical=False, what=what)
        return None, end, ("attribute-value", f"{what} is a tagged item; Chrome accepts only integers, byte strings, text and booleans")
    assert head.major == MAJOR_SIMPLE
    if head.arg == SIMPLE_FALSE:
        return False, head.content, None
    if head.arg == SIMPLE_TRUE:
        return True, head.content, None
    name = SIMPLE_NAMES.get(head.arg, f"simple value {head.arg}")
    return None, head.content, ("attribute-value", f"{what} is `{name}`; Chrome accepts only integers, byte strings, text and booleans")


def read_attribute_map(reader: CborReader, pos: int, what: str, problems: list[Problem]) -> tuple[dict[str, object], int]:
    """A map of attributes as Chrome reads it; returns (attributes, end) and appends a problem per refusal.

    Names Chrome refuses are left out of the result; values it refuses are
    kept as None so that a missing `webBundleId` is not reported twice.
    """
    head = reader.expect(pos, MAJOR_MAP, what)
    reader.need(head.content, 2 * head.arg, f"{what} (map of {head.arg})")
    attributes: dict[str, object] = {}
    seen: set[str] = set()
    p = head.content
    for _ in range(head.arg):
        name_at = p
        if reader.head(p, f"{what} name").major != MAJOR_TSTR:
            p = reader.skip(p, canonical=False, what=f"{what} name")
            problems.append(Problem("attribute-name", f"{what}: an attribute name is not a text string", offset=name_at, length=p - name_at))
            p = reader.skip(p, canonical=False, what=f"{what} value")
            continue
        name, p, problem = read_text(reader, p, f"{what}: attribute name")
        if problem is not None:
            problems.append(Problem("attribute-name", problem, offset=name_at, length=p - name_at))
        value_at = p
        value, p, value_problem = read_value(reader, p, f"{what}: attribute `{name}`" if name is not None else f"{what}: attribute value")
        if value_problem is not None:
            code, message = value_problem
            problems.append(Problem(code, message, offset=value_at, length=p - value_at))
        if name is None:
            continue
        if name in seen:
            problems.append(Problem("duplicate-attribute", f"{what}: attribute `{name}` appears twice; Chrome refuses duplicate names", offset=name_at, length=p - name_at))
            continue
        seen.add(name)
        if name in NEEDED or len(attributes) < KEPT_VALUES:
            attributes[name] = value
    return attributes, p
