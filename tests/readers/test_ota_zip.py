"""The OTA zip reader: directory facts, lazy bounded bodies, and lies that must not crash."""

from __future__ import annotations

import random
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zipcraft import APP, patch_sizes, write_zip, zip_bytes

from auditor.capgo.zip_views import differences
from auditor.engine.errors import InputError, Malformed
from auditor.engine.model import InputKind
from auditor.readers import open_input


def test_reads_members_as_resources_without_extracting(tmp_path):
    path = write_zip(tmp_path / "b.zip", {**APP, "assets/a.css": "p{}", "assets/": ""})
    before = set(tmp_path.iterdir())
    bundle = open_input(path)
    assert bundle.kind is InputKind.OTA_ZIP
    assert list(bundle.resources) == ["/index.html", "/app.js", "/assets/a.css"]
    assert bundle.resources["/app.js"].mime_type == "application/javascript"
    assert bundle.resources["/assets/a.css"].body.read() == b"p{}"
    archive = bundle.archive
    assert [e.name for e in archive.entries] == ["index.html", "app.js", "assets/a.css", "assets/"]
    assert archive.entries[3].is_dir and not archive.entries[0].is_symlink
    assert set(tmp_path.iterdir()) == before


def test_stored_members_read_too(tmp_path):
    path = write_zip(tmp_path / "b.zip", APP, method=zipfile.ZIP_STORED)
    assert open_input(path).resources["/index.html"].body.read(9) == b"<!doctype"


def test_a_member_that_inflates_past_its_declared_size_is_cut_off(tmp_path):
    data = patch_sizes(zip_bytes({"big.txt": b"a" * 100_000}), 0, size=10, local=True)
    (tmp_path / "b.zip").write_bytes(data)
    body = open_input(tmp_path / "b.zip").resources["/big.txt"].body
    assert body.size == 10 and body.read() == b"a" * 10


def test_a_2gb_declared_member_is_never_inflated(tmp_path):
    data = patch_sizes(zip_bytes({"app.js": b"x" * 1000}), 0, size=2**31, local=True)
    (tmp_path / "b.zip").write_bytes(data)
    body = open_input(tmp_path / "b.zip").resources["/app.js"].body
    assert body.size == 2**31 and body.read(4096) == b""


def test_a_member_shorter_than_declared_reads_what_is_there(tmp_path):
    data = patch_sizes(zip_bytes({"app.js": b"x" * 1000}), 0, size=5000, local=True)
    (tmp_path / "b.zip").write_bytes(data)
    assert open_input(tmp_path / "b.zip").resources["/app.js"].body.read() == b"x" * 1000


def test_a_central_directory_that_lies_gives_two_views_not_a_crash(tmp_path):
    data = patch_sizes(zip_bytes(APP), 1, size=5, compressed=3)
    (tmp_path / "b.zip").write_bytes(data)
    views = open_input(tmp_path / "b.zip").archive.views
    android, ios = {e.name: e for e in views.android.entries}, {e.name: e for e in views.ios.entries}
    assert (android["app.js"].actual_size, ios["app.js"].size) == (35, 5)


def test_a_truncated_zip_is_an_input_error(tmp_path):
    data = zip_bytes(APP)
    (tmp_path / "b.zip").write_bytes(data[:60])
    with pytest.raises(Malformed, match="end-of-central-directory"):
        open_input(tmp_path / "b.zip")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_zips_give_a_bundle_or_an_input_error(tmp_path, data):
    original = bytearray(zip_bytes(APP))
    for _ in range(data.draw(st.integers(1, 6))):
        original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "m.zip"
    path.write_bytes(bytes(original))
    try:
        bundle = open_input(path)
    except InputError:
        return
    for resource in bundle.resources.values():
        assert len(resource.body.read(1 << 20)) <= resource.size
    differences(bundle.archive.views)  # never raises either


def test_bomb_like_members_are_never_inflated(tmp_path):
    path = write_zip(tmp_path / "b.zip", {**APP, "pad.js": b"\0" * (4 * 1024 * 1024)})
    bundle = open_input(path)
    assert bundle.resources["/pad.js"].size == 4 * 1024 * 1024
    assert bundle.resources["/pad.js"].body.read(100) == b""
    assert bundle.resources["/app.js"].body.read() == APP["app.js"].encode()
    streamed = {e.name: e for e in bundle.archive.views.android.entries}
    assert streamed["pad.js"].withheld and streamed["pad.js"].actual_size is None  # Android's walk never inflated it either
    assert [e.name for e in bundle.archive.views.android.entries] == ["index.html", "app.js", "pad.js"]


LETTERS = bytes(random.Random(3).choices(b"abcdefghijklmnopqrstuvwxyz", k=1024 * 1024 - 10))  # compresses like code, not like a bomb
LINES = b"\n".join(LETTERS[i : i + 60] for i in range(0, len(LETTERS), 60))


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("prefix", [LETTERS, LINES, b"\xff" * 5])
def test_byte_search_of_a_member_streams_and_finds_matches_across_pieces(tmp_path, method, prefix):
    from auditor.capgo.updater import PRIVATE_KEY_PEM_BYTES

    body = prefix + b"-----BEGIN RSA PRIVATE KEY-----\n"
    path = write_zip(tmp_path / "b.zip", {**APP, "blob.bin": body}, method=method)
    found = open_input(path).resources["/blob.bin"].body.search(PRIVATE_KEY_PEM_BYTES, 64 * 1024 * 1024)
    line = prefix.count(b"\n") + 1
    column = len(prefix) - (prefix.rfind(b"\n") + 1) + 1
    assert found == (len(prefix), len(prefix) + 31, line, column)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]), st.integers(0, 4000), st.integers(-1, 40))
def test_a_small_member_read_in_one_piece_is_what_the_piecewise_reader_gives(tmp_path, body, method, n, cut):
    from auditor.readers.ota_zip import ArchiveFile, MemberBody, inflate_chunks

    path = write_zip(tmp_path / "b.zip", {"a.bin": body}, method=method)
    entry = open_input(path).archive.views.ios.entries[0]
    length = entry.data_length if cut < 0 else min(entry.data_length, cut)  # a cut member: corrupt deflate data
    reader = MemberBody(n, ArchiveFile(path), method, entry.data_offset, length, False)
    data = path.read_bytes()
    stop = entry.data_offset + length
    expected = data[entry.data_offset : min(stop, entry.data_offset + n)] if method == zipfile.ZIP_STORED else b"".join(inflate_chunks(data, entry.data_offset, stop, n))
    assert reader(n) == reader.read() == expected == b"".join(reader.chunks(n))
    from auditor.engine.model import _search_chunks

    pattern = re.compile(rb"a+\n?b")
    assert reader.search(pattern, n) == _search_chunks(pattern, iter([expected]))
    streamed = open_input(path).archive.views.android.entries[0]
    if streamed.head is not None and (streamed.data_offset, streamed.data_length) == (entry.data_offset, length):
        sniffing = MemberBody(n, ArchiveFile(path), method, entry.data_offset, length, False, streamed.head)
        assert sniffing(n) == expected  # what the walk inflated answers short reads: the same bytes


def test_a_short_read_of_a_member_the_walk_inflated_inflates_nothing(tmp_path, monkeypatch):
    from auditor.readers import ota_zip

    path = write_zip(tmp_path / "b.zip", {**APP, "blob.zip": b"PK\x03\x04" + LETTERS[:5000]})
    resources = open_input(path).resources

    def refuse(*args):
        raise AssertionError("inflated again")

    monkeypatch.setattr(ota_zip.zlib, "decompressobj", refuse)
    assert resources["/blob.zip"].body.read(6) == b"PK\x03\x04" + LETTERS[:2]
    with pytest.raises(AssertionError, match="inflated again"):
        resources["/blob.zip"].body.read(17)  # past the kept head


def test_small_reads_drop_the_maps_pages_once_per_release_window(tmp_path, monkeypatch):
    from auditor.readers import ota_zip

    released = []
    monkeypatch.setattr(ota_zip, "release", lambda data, start, end: released.append((start, end)))
    monkeypatch.setattr(ota_zip, "SMALL_READS_RELEASE", 1000)
    path = write_zip(tmp_path / "b.zip", {f"m{i}.js": LETTERS[i * 400 : i * 400 + 400] for i in range(10)}, method=zipfile.ZIP_STORED)
    for resource in open_input(path).resources.values():
        resource.body.read()
    assert len(released) == 3 and released[0] == (0, path.stat().st_size)  # ten reads of 400 bytes: every third passes 1000


def test_archive_entries_are_the_ios_records_or_androids_when_ios_cannot_open_the_zip(tmp_path):
    data = zip_bytes({**APP, "assets/": ""})
    path = tmp_path / "b.zip"
    path.write_bytes(data)
    archive = open_input(path).archive
    ios = archive.views.ios.entries
    assert [(e.name, e.header_offset, e.method, e.crc) for e in archive.entries] == [(r.name, r.local_offset, r.central_method, r.crc) for r in ios]
    assert len(archive.entries) == 3 and archive.entries[1:] == tuple(archive.entries)[1:] and archive.entries[-1].is_dir
    path.write_bytes(data[: data.rfind(b"PK\x05\x06")])  # no end record: iOS (and zipfile) cannot open it
    archive = open_input(path).archive
    assert archive.views.ios.failure is not None
    assert [(e.name, e.header_offset, e.size) for e in archive.entries] == [(r.name, r.offset, r.actual_size) for r in archive.views.android.entries]
    assert archive.declared_total == sum(len(v) for v in APP.values())


def test_a_body_android_reads_differently_at_the_same_header_is_its_own_resource(tmp_path):
    from zipcraft import Member, raw_zip

    index = Member("index.html", b"<p>")
    path = tmp_path / "b.zip"
    path.write_bytes(raw_zip([index, Member("a.js", b"abcdef", method=0)]))
    assert list(open_input(path).resources) == ["/index.html", "/a.js"]  # the same body at the same place: once
    path.write_bytes(raw_zip([index, Member("a.js", b"abcdef", method=0, cd_size=3)]))  # iOS reads 3 bytes, Android 6
    resources = open_input(path).resources
    assert list(resources) == ["/index.html", "/a.js", "/a.js#android-3"]
    assert (resources["/a.js"].body.read(), resources["/a.js#android-3"].body.read()) == (b"abc", b"abcdef")


def test_the_fast_resource_builder_builds_what_the_dataclass_builds():
    from auditor.engine.model import Body, Resource
    from auditor.readers.ota_zip import new_resource

    body = Body(3, view=b"abc")
    built = new_resource("/a.js", {"content-type": "text/javascript"}, body, "a.js", (0, 40), ("content-type",))
    assert built == Resource(path="/a.js", headers={"content-type": "text/javascript"}, body=body, source_path="a.js", byte_range=(0, 40), header_names_raw=("content-type",))
    with pytest.raises(AttributeError):
        built.path = "/b.js"  # still frozen
