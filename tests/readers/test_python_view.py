"""The derived Python view (`auditor/capgo/python_unzip.py`) against the real `zipfile` of this interpreter.

The OTA reader no longer builds `zipfile`'s `ZipInfo` list (247 MB at peak for
100 000 long names); it walks the central directory as `zipfile` does. On
well-formed zips and on hostile ones (prepended data, zip64 end records and
extras, lying sizes and offsets, names in every encoding, Unicode Path
fields, flipped bytes, cuts) every field the views compare, and the failure
message, must be what `zipfile.ZipFile(f).infolist()` gives on a real file.
"""

from __future__ import annotations

import io
import struct
import sys
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from zipcraft import zip_bytes

from auditor.capgo import ios_unzip, python_unzip
from auditor.capgo.zip_views import python_view
from auditor.engine.limits import DEFAULT_LIMITS

# What the reader's former `zipfile` call caught: anything else escaping zipfile is a failure of this test.
PY_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OverflowError, NotImplementedError, KeyError, IndexError, OSError)
FF = 0xFFFFFFFF


def reference(data: bytes) -> tuple[list[tuple] | None, str | None]:
    """(entries, None) or (None, failure) from the real zipfile, on a real file as the reader opens it."""
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # 3.12+ warns on an empty Unicode Path field
                with zipfile.ZipFile(handle) as archive:
                    return [(i.filename, i.file_size, i.compress_size, i.compress_type, i.header_offset) for i in archive.infolist()], None
        except PY_ERRORS as exc:
            return None, f"{type(exc).__name__}: {exc}"


def derived(data: bytes, *, note: bool = False) -> tuple[list[tuple] | None, str | None]:
    view = python_unzip.walk(data, 1_000_000)
    quick = python_unzip.from_directory(data, 1_000_000, ios_unzip.walk(data, DEFAULT_LIMITS))
    assert quick is None or quick == view  # taken from the iOS entries only when it is what the walk lists
    if note:
        event("from the iOS entries" if quick is not None else "walked")
    if view.failure is not None:
        return None, view.failure
    return [(e.name, e.size, e.compressed_size, e.method, e.header_offset) for e in view.entries], None


@dataclass
class Record:
    name: bytes
    data: bytes
    method: int = 8
    flags: int = 0
    version: int = 20              # "version needed" (low byte)
    extra: bytes = b""             # central extra written after any zip64 field
    comment: bytes = b""
    zip64: tuple[bool, bool, bool] = (False, False, False)  # size, compressed size, offset in a zip64 extra
    zip64_cut: int = 0             # bytes cut from the end of the zip64 field's body


def build(records: list[Record], *, prefix: bytes = b"", zip64_end: bool = False, comment: bytes = b"",
          size_delta: int = 0, offset_delta: int = 0, locator_delta: int = 0, record_size: int = 44, suffix: bytes = b"") -> tuple[bytes, int]:
    """A zip written as if alone, then `prefix` put before it; (bytes, where its directory starts)."""
    out = bytearray(prefix)
    central = bytearray()
    for r in records:
        body = zlib.compressobj(6, zlib.DEFLATED, -15) if r.method == 8 else None
        payload = body.compress(r.data) + body.flush() if body else r.data
        offset = len(out) - len(prefix)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, r.flags, r.method, 0, 0, zlib.crc32(r.data), len(payload), len(r.data), len(r.name), 0)
        out += r.name + payload
        values = (len(r.data), len(payload), offset)
        big = [v for v, on in zip(values, r.zip64, strict=True) if on]
        extra = b""
        if big:
            field = struct.pack(f"<{len(big)}Q", *big)[: max(0, 8 * len(big) - r.zip64_cut)]
            extra = struct.pack("<HH", 1, len(field)) + field
        extra += r.extra
        shown = [FF if on else v for v, on in zip(values, r.zip64, strict=True)]
        central += struct.pack(
            "<4sBBBBHHHHIIIHHHHHII", b"PK\x01\x02", 20, 3, r.version, 0, r.flags, r.method, 0, 0x5821, zlib.crc32(r.data),
            shown[1], shown[0], len(r.name), len(extra), len(r.comment), 0, 0, 0o100644 << 16, shown[2],
        ) + r.name + extra + r.comment
    start = len(out)
    out += central
    cd_offset = max(0, start - len(prefix) + offset_delta)
    cd_size = max(0, len(central) + size_delta)
    if zip64_end:
        record_at = len(out) - len(prefix)
        out += struct.pack("<4sQHHLLQQQQ", b"PK\x06\x06", record_size, 45, 45, 0, 0, len(records), len(records), cd_size, cd_offset)
        out += struct.pack("<4sLQL", b"PK\x06\x07", 0, max(0, record_at + locator_delta), 1)
        out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, FF, FF, len(comment)) + comment
    else:
        out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(records), len(records), cd_size & FF, cd_offset & FF, len(comment)) + comment
    return bytes(out + suffix), start


raw_names = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\0"), min_size=1, max_size=10).map(lambda s: s.encode("utf-8")),
    st.binary(min_size=0, max_size=10),
    st.sampled_from([b"index.html", b"caf\xe9.js", b"\xff\xfe", b"a\0b.js", b"dir/"]),
)


@st.composite
def extras(draw, name: bytes) -> bytes:
    kind = draw(st.sampled_from(["none", "none", "garbage", "unicode", "unicode-bad", "unicode-short", "unicode-empty", "other", "overlong"]))
    crc = zlib.crc32(name) if draw(st.booleans()) else draw(st.integers(0, FF))
    if kind == "garbage":
        return draw(st.binary(max_size=12))
    if kind == "unicode":
        return (lambda b: struct.pack("<HH", 0x7075, len(b)) + b)(struct.pack("<BL", draw(st.sampled_from([1, 2])), crc) + "ünï".encode())
    if kind == "unicode-bad":
        return (lambda b: struct.pack("<HH", 0x7075, len(b)) + b)(struct.pack("<BL", 1, crc) + b"\xff\xfe")
    if kind == "unicode-short":
        return struct.pack("<HH", 0x7075, 3) + b"\x01\x00\x00"
    if kind == "unicode-empty":
        return (lambda b: struct.pack("<HH", 0x7075, len(b)) + b)(struct.pack("<BL", 1, crc))
    if kind == "other":
        return struct.pack("<HH", 0x5455, 5) + b"\x03abcd"
    if kind == "overlong":
        return struct.pack("<HH", 0x5455, 9) + b"\x03ab"
    return b""


@st.composite
def records(draw) -> list[Record]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(raw_names)
        out.append(Record(
            name=name,
            data=draw(st.binary(max_size=80)),
            method=draw(st.sampled_from([0, 8])),
            flags=draw(st.sampled_from([0, 0x800, 0x800, 0x8])),
            version=draw(st.sampled_from([20, 20, 45, 63, 64, 0xFF])),
            extra=draw(extras(name)),
            comment=draw(st.sampled_from([b"", b"note"])),
            zip64=draw(st.tuples(st.booleans(), st.booleans(), st.booleans())) if draw(st.booleans()) else (False, False, False),
            zip64_cut=draw(st.sampled_from([0, 0, 0, 1, 8])),
        ))
    return out


@st.composite
def hostile_zips(draw) -> bytes:
    data, start = build(
        draw(records()),
        prefix=draw(st.sampled_from([b""] * 4 + [b"JUNK" * 5, b"\0" * 100])),
        zip64_end=draw(st.booleans()),
        comment=draw(st.sampled_from([b""] * 4 + [b"hello", b"PK\x05\x06"])),
        size_delta=draw(st.sampled_from([0] * 8 + [-1, 1, -46, 46])),
        offset_delta=draw(st.sampled_from([0] * 8 + [-10, 7])),
        locator_delta=draw(st.sampled_from([0] * 6 + [-1, 3, 10**6])),
        record_size=draw(st.sampled_from([44] * 4 + [40, 60])),
        suffix=draw(st.sampled_from([b""] * 8 + [b"tail", b"\0" * 70000])),
    )
    data = bytearray(data)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 4]))):  # flips land in the directory and the end records mostly
        low = draw(st.sampled_from([0, start, max(0, len(data) - 120)]))
        if low < len(data):
            data[draw(st.integers(low, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_zips())
def test_the_derived_view_is_what_zipfile_lists_on_hostile_zips(data):
    expected = reference(data)
    event(expected[1][:48] if expected[1] else f"listed {len(expected[0])}")  # --hypothesis-show-statistics: what the zips exercise
    assert derived(data, note=True) == expected


names = st.text(st.characters(codec="utf-8", exclude_characters="\0\\"), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(names, st.binary(max_size=200), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])), max_size=6),
       st.sampled_from([b"", b"#!/bin/sh\n" * 3]), st.sampled_from([b"", b"a comment"]))
def test_the_derived_view_is_what_zipfile_lists_on_well_formed_zips(items, prefix, comment):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are allowed here
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.comment = comment
            for name, body, method in items:
                archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), body, compress_type=method)
    data = prefix + buffer.getvalue()
    found = derived(data, note=True)
    assert found == reference(data) and found[1] is None


def test_a_zip64_directory_with_zip64_extras_is_listed_as_zipfile_lists_it():
    data, _ = build([Record(b"a.js", b"abc", zip64=(True, True, True)), Record(b"b.js", b"x" * 50, zip64=(True, False, True))], zip64_end=True)
    assert derived(data) == reference(data)
    assert [e[1:] for e in derived(data)[0]] == [(3, 5, 8, 0), (50, 6, 8, 39)]


def test_the_shared_names_are_the_interned_strings_of_the_other_views():
    view = python_unzip.walk(zip_bytes({"assets/app.js": "x"}), 10)
    assert view.names[0] is sys.intern("assets/app.js")  # one string for the three views, not three copies


def test_the_walk_stops_past_the_entry_limit():
    data = zip_bytes({f"{i}.js": "x" for i in range(5)})
    assert python_unzip.walk(data, 4).failure == "more than 4 entries"
    assert python_unzip.walk(data, 5).failure is None


def test_the_listing_is_taken_from_the_ios_entries_only_for_plain_records_where_zipfile_reads_them():
    plain = zip_bytes({"index.html": "x", "app.js": "y"})
    assert python_unzip.from_directory(plain, 10, ios_unzip.walk(plain, DEFAULT_LIMITS)) == python_unzip.walk(plain, 10)
    for data in (
        b"JUNK" + plain,  # zipfile corrects the offsets, iOS does not
        build([Record(b"a.js", b"abc", zip64=(True, False, False))])[0],  # an extra field to decode
        build([Record(b"a.js", b"abc", version=64)])[0],  # a version zipfile refuses
        build([Record(b"\xff.js", b"abc", flags=0x800)])[0],  # flagged UTF-8, not UTF-8
        padded(build([Record(b"a.js", b"abc")])[0]),  # the declared size holds more than the records iOS reads
    ):
        assert python_unzip.from_directory(data, 10, ios_unzip.walk(data, DEFAULT_LIMITS)) is None
        assert derived(data) == reference(data)


def padded(data: bytes) -> bytes:
    """Ten bytes between the records and the end record, counted in the directory's declared size."""
    eocd = data.rfind(b"PK\x05\x06")
    end = bytearray(data[eocd:])
    struct.pack_into("<I", end, 12, struct.unpack_from("<I", end, 12)[0] + 10)
    return data[:eocd] + b"G" * 10 + bytes(end)


def test_the_ota_reader_never_builds_zipfiles_list(tmp_path, monkeypatch):
    from auditor.readers import open_input

    path = tmp_path / "b.zip"
    path.write_bytes(b"JUNK" + zip_bytes({"index.html": "x", "app.js": "y"}))

    def refuse(*args, **kwargs):
        raise AssertionError("the OTA reader must not list the zip with zipfile (a ZipInfo per member)")

    monkeypatch.setattr(zipfile.ZipFile, "__init__", refuse)
    python = open_input(path).archive.views.python
    assert python.failure is None and python.names == ("index.html", "app.js") and python.header_offset(1) == 4 + 30 + len("index.html") + 3


def test_the_compat_helper_reads_a_handle_whole():
    data = b"JUNK" + zip_bytes({"index.html": "x"})
    handle = io.BytesIO(data)
    handle.seek(7)
    assert python_view(handle, 10).header_offset(0) == 4


# --- zip64 after the CVE-2025-8291 fix (CPython 3.9.24, 3.10.19, 3.11.14, 3.12.12, 3.13.9, 3.14.1) ---
# The interpreter running the tests may predate the fix, so these pin the checked behaviour by hand.


@pytest.fixture
def checked(monkeypatch):
    monkeypatch.setattr(python_unzip, "checked_zip64", lambda: True)


def test_checked_zip64_reads_the_record_at_the_locators_offset(checked):
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True)
    assert derived(data) == ([("a.js", 3, 5, 8, 0)], None)


def test_checked_zip64_finds_the_record_after_prepended_data_at_the_fixed_place(checked):
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True, prefix=b"JUNK" * 5)
    assert derived(data) == ([("a.js", 3, 5, 8, 20)], None)


def test_checked_zip64_refuses_a_locator_past_the_record(checked):
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True, locator_delta=10**6)
    assert derived(data)[1] == "BadZipFile: Corrupt zip64 end of central directory locator"


def test_checked_zip64_refuses_a_record_of_the_wrong_size(checked):
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True, record_size=40)
    assert derived(data)[1] == "BadZipFile: Corrupt zip64 end of central directory record"


def test_checked_zip64_refuses_a_missing_record(checked):
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True)
    at = data.rfind(b"PK\x06\x06")
    data = data[:at] + b"XX" + data[at + 2 :]
    assert derived(data)[1] == "BadZipFile: Zip64 end of central directory record not found"


def test_unchecked_zip64_ignores_a_missing_record_and_a_wrong_size(monkeypatch):
    monkeypatch.setattr(python_unzip, "checked_zip64", lambda: False)
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True, record_size=40)
    assert derived(data) == ([("a.js", 3, 5, 8, 0)], None)
    at = data.rfind(b"PK\x06\x06")
    assert derived(data[:at] + b"XX" + data[at + 2 :])[1] == "BadZipFile: Bad offset for central directory"


def test_the_probes_agree_with_this_interpreters_zipfile():
    data, _ = build([Record(b"a.js", b"abc")], zip64_end=True, record_size=40)
    assert (reference(data)[1] is not None) == python_unzip.checked_zip64()
    data, _ = build([Record(b"a.js", b"abc", extra=struct.pack("<HH", 0x7075, 3) + b"\x01\x00\x00")])
    assert (reference(data)[1] is not None) == python_unzip.unicode_path_field()
