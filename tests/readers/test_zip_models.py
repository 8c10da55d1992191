"""The two unzip models (Android's ZipInputStream stream, iOS's ZIPFoundation directory) on their own.

Well-formed zips written by Python's `zipfile` must give three identical views;
zips written by `zipcraft.raw_zip` lie in one field at a time and each model must
react as its reader does. Mutated zips never raise.
"""

from __future__ import annotations

import io
import struct
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from zipcraft import Member, raw_zip, zip_bytes

from auditor.capgo import android_unzip, ios_unzip
from auditor.capgo.zip_views import ZipViews, differences, python_view
from auditor.engine.limits import DEFAULT_LIMITS

LIMITS = DEFAULT_LIMITS


def views(data: bytes) -> ZipViews:
    ios = ios_unzip.walk(data, LIMITS)
    declared = {e.local_offset: (e.size, e.compressed_size) for e in ios.entries}
    return ZipViews(android_unzip.walk(data, LIMITS, declared=declared), ios, python_view(io.BytesIO(data), LIMITS.max_resources))


def inflated(data: bytes, method: int, offset: int, length: int) -> bytes:
    raw = data[offset : offset + length]
    return raw if method == 0 else __import__("zlib").decompress(raw, -15)


names = st.text(st.characters(codec="utf-8", exclude_characters="\0\\/"), min_size=1, max_size=12)
members = st.lists(
    st.tuples(st.lists(names, min_size=1, max_size=3).map("/".join), st.binary(max_size=300), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])),
    min_size=1, max_size=6, unique_by=lambda m: m[0],
)


@settings(max_examples=150, deadline=None)
@given(members)
def test_well_formed_zips_give_three_identical_views(items):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in items:
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    data = buffer.getvalue()
    seen = views(data)
    reference = zipfile.ZipFile(io.BytesIO(data))
    expected = [(i.filename, reference.read(i)) for i in reference.infolist()]
    android = [(e.name, inflated(data, e.method, e.data_offset, e.data_length)) for e in seen.android.entries]
    ios = [(e.name, inflated(data, e.method, e.data_offset, e.data_length)) for e in seen.ios.entries]
    assert seen.android.failure is None and seen.ios.failure is None and seen.ios.stopped is None
    assert android == ios == expected
    assert differences(seen) == []


@settings(max_examples=200, deadline=None)
@given(members, st.data())
def test_mutated_zips_never_raise(items, draw):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in items:
            archive.writestr(name, data, compress_type=method)
    data = bytearray(buffer.getvalue())
    for _ in range(draw.draw(st.integers(1, 8))):
        data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    if draw.draw(st.booleans()):
        cut = draw.draw(st.integers(0, len(data)))
        data = data[:cut]
    differences(views(bytes(data)))


@settings(max_examples=100, deadline=None)
@given(members, st.booleans())
def test_the_android_walk_shares_its_twins_ints_and_changes_no_value(items, stored):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in items:
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_STORED if stored else method)
    data = buffer.getvalue()
    ios = ios_unzip.walk(data, LIMITS)
    plain = android_unzip.walk(data, LIMITS, declared={e.local_offset: (e.size, e.compressed_size) for e in ios.entries})
    shared = android_unzip.walk(data, LIMITS, directory={e.local_offset: e for e in ios.entries})
    assert shared == plain
    for a, i in zip(shared.entries, ios.entries, strict=True):
        assert a.crc is i.crc and a.size is i.size and a.data_offset is i.data_offset and a.actual_size is a.size


def test_android_streams_local_headers_only():
    data = raw_zip([Member("index.html", b"<p>"), Member("hidden.js", b"evil()", listed=False), Member("app.js", b"ok()")])
    seen = views(data)
    assert [e.name for e in seen.android.entries] == ["index.html", "hidden.js", "app.js"]
    assert [e.name for e in seen.ios.entries] == ["index.html", "app.js"]


def test_android_sees_nothing_after_prepended_data_but_python_corrects_it():
    data = b"JUNK" * 10 + zip_bytes({"index.html": "x"})
    seen = views(data)
    assert seen.android.entries == () and seen.android.failure is None
    assert seen.python.entries[0].header_offset == 40
    assert seen.ios.stopped is not None and seen.ios.entries == ()  # offsets as written, no correction


def test_android_finds_a_deflated_members_end_by_inflating_not_by_its_declared_size():
    data = raw_zip([Member("a.js", b"a" * 500, local_compressed=1), Member("b.js", b"b")])
    seen = views(data)
    assert [e.name for e in seen.android.entries] == ["a.js"]
    assert "invalid entry compressed size" in seen.android.failure


def test_android_reads_the_data_descriptor_with_or_without_its_signature():
    for magic in (True, False):
        data = raw_zip([Member("a.js", b"a" * 100, descriptor=True, descriptor_magic=magic), Member("b.js", b"b")])
        seen = views(data)
        assert [e.name for e in seen.android.entries] == ["a.js", "b.js"] and seen.android.failure is None


def test_android_refuses_a_stored_entry_with_a_descriptor():
    seen = views(raw_zip([Member("a.js", b"a", method=0, descriptor=True)]))
    assert seen.android.failure == "ZipException: only DEFLATED entries can have EXT descriptor"


def test_android_refuses_a_wrong_crc_ios_never_checks():
    seen = views(raw_zip([Member("a.js", b"abc", method=0, local_crc=1, cd_crc=1)]))
    assert seen.android.failure.startswith("ZipException: invalid entry CRC")
    assert [e.name for e in seen.ios.entries] == ["a.js"]


def test_android_skips_the_crc_of_an_empty_stored_entry():
    assert views(raw_zip([Member("a.js", b"", method=0, local_crc=7, cd_crc=7)])).android.failure is None


def test_android_crashes_on_a_name_that_is_not_utf8():
    seen = views(raw_zip([Member(b"caf\xe9.js", b"x")]))
    assert seen.android.crash and "IllegalArgumentException" in seen.android.failure
    assert seen.ios.entries[0].name == "caf\u0398.js"  # code page 437: 0xE9 is Θ


def test_android_takes_zip64_sizes_from_the_local_extra():
    extra = struct.pack("<HHQQ", 1, 16, 3, 3)
    data = raw_zip([Member("a.js", b"abc", method=0, local_size=0xFFFFFFFF, local_compressed=0xFFFFFFFF, local_extra=extra), Member("b.js", b"b")])
    assert [e.size for e in views(data).android.entries] == [3, 1]


def test_ios_takes_the_last_end_record_even_inside_the_comment():
    fake_end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0, 0, 0, 0, 0)
    data = raw_zip([Member("index.html", b"<p>")], comment=fake_end)
    seen = views(data)
    assert seen.ios.eocd_offset == len(data) - 22 and seen.ios.entries == ()
    assert [e.name for e in seen.android.entries] == ["index.html"]


def test_ios_stops_silently_at_an_encrypted_entry():
    seen = views(raw_zip([Member("a.js", b"a"), Member("b.js", b"b", cd_flags=1), Member("c.js", b"c")]))
    assert [e.name for e in seen.ios.entries] == ["a.js"] and "encrypted" in seen.ios.stopped


def test_ios_sees_symlinks_made_by_unix_and_os_x_only():
    kinds = [
        ios_unzip.walk(raw_zip([Member("l", b"t", method=0, made_by=system, mode=0o120777)]), LIMITS).entries[0].kind
        for system in (3, 19, 0)
    ]
    assert kinds == ["symlink", "symlink", "file"]


def test_ios_uses_the_local_method_and_the_central_sizes():
    data = raw_zip([Member("a.js", b"abcdef", method=0, cd_size=3)])
    entry = views(data).ios.entries[0]
    assert (entry.method, entry.data_length) == (0, 3)


@settings(max_examples=150, deadline=None)
@given(members, st.lists(st.booleans(), min_size=6, max_size=6), st.lists(st.booleans(), min_size=6, max_size=6))
def test_well_formed_raw_zips_with_descriptors_give_identical_views(items, descriptors, magics):
    built = [
        Member(name, data, method=method, flags=0x800, descriptor=method == zipfile.ZIP_DEFLATED and descriptors[i], descriptor_magic=magics[i])
        for i, (name, data, method) in enumerate(items)
    ]
    data = raw_zip(built)
    seen = views(data)
    reference = zipfile.ZipFile(io.BytesIO(data))
    expected = [(i.filename, reference.read(i)) for i in reference.infolist()]
    android = [(e.name, inflated(data, e.method, e.data_offset, e.data_length)) for e in seen.android.entries]
    assert seen.android.failure is None, seen.android.failure
    assert android == expected
    assert differences(seen) == []
