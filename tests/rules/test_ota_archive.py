"""OTA archive rules (OTA001-OTA011, OTA017): one flag test and one near-miss per class, zips made by tests/zipcraft.py."""

from __future__ import annotations

import json
import struct
import sys
import zipfile
import zlib

import pytest
from helpers import audit_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ota_inputs import bundle, make_rsa_keys
from zipcraft import APP, Member, patch_sizes, raw_zip, zip_bytes


@pytest.fixture(scope="module")
def rsa_keys():
    return make_rsa_keys()


# --- bundle ---------------------------------------------------------------------------------


def test_ota001_notes_a_single_top_level_folder_both_updaters_flatten(tmp_path):
    path = bundle(tmp_path, {"dist/index.html": "x", "dist/app.js": APP["app.js"]})
    assert audit_lines(path, "OTA001") == ["OTA001 note <input> both updaters make the single top-level folder `dist/` the bundle root (`flattenAssets`, `unflatFolder`)"]


def test_ota001_flags_index_two_levels_too_deep(tmp_path):
    path = bundle(tmp_path, {"dist/www/index.html": "x", "dist/www/app.js": APP["app.js"], "dist/other.txt": "x"})
    assert audit_lines(path, "OTA001") == ["OTA001 error <input> no `index.html` at the root of the bundle; found `/www/index.html`, one level too deep"]


def test_ota001_flags_a_macosx_folder_that_stops_ios_flattening(tmp_path):
    path = bundle(tmp_path, {"dist/index.html": "x", "dist/app.js": APP["app.js"], "__MACOSX/dist/._index.html": "x"})
    assert audit_lines(path, "OTA001") == [
        "OTA001 error <input> the platforms pick different bundle roots: Android `dist`, iOS `/` (iOS counts `__MACOSX` and dot-files at the top level, Android ignores them); one of them has no `index.html`"
    ]


def test_ota001_allows_root_index(tmp_path):
    assert audit_lines(bundle(tmp_path, APP), "OTA001") == []


def test_ota001_allows_a_dot_slash_root_index(tmp_path):
    assert audit_lines(bundle(tmp_path, {"./index.html": "x", "app.js": APP["app.js"]}), "OTA001") == []


def test_ota002_flags_notify_app_ready_only_in_a_comment(tmp_path):
    path = bundle(tmp_path, {**APP, "app.js": "// CapacitorUpdater.notifyAppReady()\nstart('notifyAppReady');\n"})
    assert audit_lines(path, "OTA002") == ["OTA002 error <input> no script calls `notifyAppReady()`; every device will roll this update back"]


@pytest.mark.parametrize("call", ["CapacitorUpdater.notifyAppReady()", "a.b['notifyAppReady']()", "notifyAppReady()"])
def test_ota002_allows_a_call(tmp_path, call):
    path = bundle(tmp_path, {**APP, "app.js": f"// boot\n{call};\n"})
    assert audit_lines(path, "OTA002") == []


def test_ota003_flags_traversal_absolute_backslash_and_drive_names(tmp_path):
    path = bundle(tmp_path, {**APP, "../evil.js": "", "/abs.js": "", "a\\b.js": "", "C:/x.js": "", "a/../b.js": ""})
    assert audit_lines(path, "OTA003") == [
        "OTA003 error <input>@154 entry `../evil.js` climbs out of the bundle folder with `..`; both updaters refuse the whole update (`canonical_path_fail`)",
        "OTA003 error <input>@196 entry `/abs.js` is an absolute path; both updaters refuse the whole update (`canonical_path_fail`)",
        "OTA003 error <input>@235 entry `a\\b.js` contains a backslash; both updaters refuse the whole update (`canonical_path_fail`)",
    ]  # `C:/x.js` is a folder named `C:` and `a/../b.js` stays inside: both updaters accept them


def test_ota003_allows_dots_inside_names(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "a..b/..c.js": "", "./x.js": ""}), "OTA003") == []


def test_ota004_flags_a_duplicate_name(tmp_path):
    path = bundle(tmp_path, [*APP.items(), ("app.js", "evil()")])
    assert audit_lines(path, "OTA004") == ["OTA004 error <input>@154 entry `app.js` appears more than once (central directory); the last copy is installed"]


def test_ota004_allows_same_name_in_other_folders(tmp_path):
    assert audit_lines(bundle(tmp_path, [*APP.items(), ("js/app.js", "x")]), "OTA004") == []


def test_ota005_flags_a_symlink_outside_its_folder(tmp_path):
    path = bundle(tmp_path, {**APP, "data": "/data/data/com.example"}, modes={"data": 0o120777}, method=0)
    assert audit_lines(path, "OTA005") == [
        "OTA005 error <input>@154 symlink `data` -> `/data/data/com.example` points outside its folder; iOS refuses the update, Android writes a file holding the path"
    ]


def test_ota005_warns_about_a_contained_os_x_symlink(tmp_path):
    path = bundle(tmp_path, {**APP, "latest.js": "app.js"}, modes={"latest.js": 0o120777}, method=0, system=19)
    assert audit_lines(path, "OTA005") == [
        "OTA005 warning <input>@154 symlink `latest.js` -> `app.js` (made by OS X): iOS creates the link, Android writes a file holding the path"
    ]


def test_ota005_flags_a_chain_of_links(tmp_path):
    path = bundle(tmp_path, {**APP, "a": ".", "a/b": "x"}, modes={"a": 0o120777, "a/b": 0o120777}, method=0)
    assert audit_lines(path, "OTA005")[-1] == "OTA005 error <input>@186 symlink `a/b` lies inside the linked folder `a`: a chain of links can write outside the bundle on iOS"


def test_ota005_flags_a_deflated_link_ios_cannot_read(tmp_path):
    path = bundle(tmp_path, {**APP, "data": "app.js" * 20}, modes={"data": 0o120777})
    assert audit_lines(path, "OTA005") == ["OTA005 error <input>@154 symlink `data`: its target is not UTF-8 as iOS reads it (the raw, not inflated, bytes): iOS refuses the update"]


def test_ota005_allows_an_executable_file(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "data": "x"}, modes={"data": 0o100755}), "OTA005") == []


def test_ota006_flags_an_encrypted_entry(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, flags=0x1, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA006") == [
        "OTA006 error <input>@81 the entry at offset 81 is encrypted: Android refuses the update",
        "OTA006 error <input>@210 entry at offset 210 is encrypted: iOS stops reading the directory there and installs only the entries before it",
    ]


def test_ota006_allows_the_utf8_flag(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, flags=0x800, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA006") == []


def test_ota007_flags_a_zip_inside_by_magic(tmp_path):
    path = bundle(tmp_path, {**APP, "assets/data.bin": zip_bytes({"a": "b"})})
    assert audit_lines(path, "OTA007") == ["OTA007 error /assets/data.bin `/assets/data.bin` is an archive inside the bundle"]


def test_ota007_allows_a_binary_that_is_not_an_archive(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "assets/data.bin": b"PK\x01\x02 not a local header"}), "OTA007") == []


def test_ota008_flags_a_ratio_bomb_kept_small_on_disk(tmp_path):
    path = bundle(tmp_path, {**APP, "pad.js": b"\0" * (4 * 1024 * 1024)})
    assert path.stat().st_size < 10_000
    assert audit_lines(path, "OTA008") == ["OTA008 error <input>@154 entry `pad.js` expands 1028 times (4080 -> 4194304 bytes; limit 200)"]


def test_ota008_flags_a_declared_2gb_member_and_total(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=2**31 + 1, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA008") == [
        "OTA008 error <input>@81 entry `app.js` declares 2147483649 bytes (limit 268435456)",
        "OTA008 error <input>@154 the archive declares 2147483692 bytes in total (limit 2147483648)",
    ]


def test_ota008_allows_a_compressible_small_file(tmp_path):
    assert audit_lines(bundle(tmp_path, {**APP, "pad.js": b"\0" * (512 * 1024)}), "OTA008") == []


def test_ota009_flags_a_central_directory_that_lies(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=5, compressed=3))
    assert audit_lines(tmp_path / "b.zip", "OTA009") == [
        "OTA009 error <input>@81 `app.js` differs between the platforms: size: Android 35 bytes, iOS 5 bytes",
    ]


def test_ota009_allows_a_consistent_lie_the_reader_cuts_off(tmp_path):
    (tmp_path / "b.zip").write_bytes(patch_sizes(zip_bytes(APP), 1, size=5, local=True))
    assert audit_lines(tmp_path / "b.zip", "OTA009") == []


def test_ota010_flags_signing_keys_and_env_files(tmp_path):
    path = bundle(tmp_path, {**APP, ".capgo_key_v2": "x", "config/.env.production": "TOKEN=1", "key.txt": "id\n-----BEGIN RSA PRIVATE KEY-----\nMII\n"})
    assert audit_lines(path, "OTA010") == [
        "OTA010 error /.capgo_key_v2 `/.capgo_key_v2` is a key or secrets file",
        "OTA010 error /config/.env.production `/config/.env.production` is a key or secrets file",
        "OTA010 error /key.txt:2:1 `/key.txt` contains a private key",
    ]


def test_ota010_allows_public_keys_and_env_examples(tmp_path):
    path = bundle(tmp_path, {**APP, ".capgo_key_v2.pub": "x", ".env.example": "TOKEN=", "key.txt": "-----BEGIN RSA PUBLIC KEY-----\n"})
    assert audit_lines(path, "OTA010") == []


def test_ota010_flags_a_key_in_a_source_folder_too(app):
    path = app({"index.html": "x", ".env": "SECRET=1"})
    assert audit_lines(path, "OTA010") == ["OTA010 error /.env `/.env` is a key or secrets file"]


def test_ota011_flags_embedded_sources_and_node_modules(tmp_path):
    path = bundle(tmp_path, {**APP, "app.js.map": json.dumps({"sources": ["a.ts"], "sourcesContent": ["let t"]}), "node_modules/x/a.js": "", "node_modules/y.js": ""})
    assert audit_lines(path, "OTA011") == [
        "OTA011 warning /app.js.map source map `/app.js.map` embeds 1 source file(s) in `sourcesContent`",
        "OTA011 warning /node_modules/x/a.js `/node_modules/x/a.js` is under `node_modules/`",
    ]


def test_ota011_allows_maps_without_sources(tmp_path):
    path = bundle(tmp_path, {**APP, "app.js.map": json.dumps({"sources": ["a.ts"], "sourcesContent": [None]}), "node_modules.txt": ""})
    assert audit_lines(path, "OTA011") == []




# --- the two views: what only one platform (or only Python) sees ------------------------------

INDEX = Member("index.html", b"<script src=app.js></script>")
SCRIPT = Member("app.js", b"CapacitorUpdater.notifyAppReady();\n")


def raw(tmp_path, members, **kwargs):
    path = tmp_path / "raw.zip"
    path.write_bytes(raw_zip(members, **kwargs))
    return path


def test_ota009_flags_an_entry_between_members_that_only_android_installs(tmp_path):
    path = raw(tmp_path, [INDEX, Member("evil.js", b"steal()", listed=False), SCRIPT])
    assert audit_lines(path, "OTA009") == [
        "OTA009 error <input>@66 `evil.js`: only Android installs it; its local header at offset 66 is not in the central directory iOS reads"
    ]


def test_ota009_flags_an_entry_before_the_first_member(tmp_path):
    path = raw(tmp_path, [Member("first.js", b"x", listed=False), INDEX, SCRIPT])
    assert audit_lines(path, "OTA009") == [
        "OTA009 error <input>@0 `first.js`: only Android installs it; its local header at offset 0 is not in the central directory iOS reads"
    ]


def test_ota009_flags_a_second_directory_hidden_in_the_comment(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT], comment=b"")
    data = path.read_bytes()
    start = len(data)
    records = data[data.index(b"PK\x01\x02") : data.rfind(b"PK\x05\x06")]
    first_record_len = 46 + len(b"index.html")
    one = records[:first_record_len]  # lists index.html only
    comment = one + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(one), start, 0)
    data = data[:-2] + struct.pack("<H", len(comment)) + comment
    path.write_bytes(data)
    assert audit_lines(path, "OTA009") == [
        "OTA009 error <input>@66 `app.js`: only Android installs it; its local header at offset 66 is not in the central directory iOS reads",
    ]  # Python's zipfile also takes the last end record: it agrees with iOS


def test_ota009_flags_data_descriptor_sizes_that_differ_from_the_directory(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data + b"evil();" * 20, descriptor=True, cd_size=len(SCRIPT.data)), Member("b.js", b"b")])
    lines = audit_lines(path, "OTA009,OTA017")
    assert lines[0].startswith("OTA009 error <input>@66 `app.js` differs between the platforms: size: Android 175 bytes, iOS 35 bytes")


def test_ota009_flags_data_prepended_to_the_zip(tmp_path):
    path = tmp_path / "b.zip"
    path.write_bytes(b"#!/bin/sh\n" + zip_bytes(APP))
    assert audit_lines(path, "OTA009") == [
        "OTA009 error <input> Python's zipfile lists 2 entries, iOS installs 0",
        "OTA009 error <input> iOS stops silently after 0 of 2 central directory entries (no readable central directory record at offset 154) and installs only those",
    ]


def test_ota009_flags_a_non_ascii_name_without_the_utf8_flag(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("caf\u00e9.js", b"x")])
    assert audit_lines(path, "OTA009") == [
        "OTA009 error <input>@139 `caf\u251c\u2310.js` differs between the platforms: name: Android `caf\u00e9.js` (local header, UTF-8), iOS `caf\u251c\u2310.js` (central directory, code page 437)"
    ]


def test_ota009_allows_a_utf8_flagged_name_and_a_correct_descriptor(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("caf\u00e9.js", b"x" * 50, flags=0x800, descriptor=True)])
    assert audit_lines(path, "OTA009,OTA017") == []


SHORT_ZIP64 = struct.pack("<HHQ", 1, 16, 35)  # a zip64 extra that claims 16 bytes and holds 8: ZipInputStream skips it


@pytest.mark.parametrize(("fields", "declared"), [
    ({"local_size": 300 * 2**20}, 300 * 2**20),
    ({"method": 0, "local_size": 0xFFFFFFFF, "local_compressed": 0xFFFFFFFF, "local_extra": SHORT_ZIP64}, 0xFFFFFFFF),
])
def test_ota009_flags_a_local_header_that_declares_bomb_sizes_the_directory_does_not(tmp_path, fields, declared):
    # Android never inflates what its header calls a bomb (the device inflates it and fails on the size): the sizes still differ
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data, **fields), Member("b.js", b"b")])
    assert audit_lines(path, "OTA009")[0] == f"OTA009 error <input>@66 `app.js` differs between the platforms: size: Android {declared} bytes, iOS 35 bytes"


def test_ota009_allows_bomb_sizes_both_headers_declare(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data, local_size=300 * 2**20, cd_size=300 * 2**20), Member("b.js", b"b")])
    assert audit_lines(path, "OTA008,OTA009") == ["OTA008 error <input>@66 entry `app.js` declares 314572800 bytes (limit 268435456)"]


def zipfile_extracts(path) -> bool:
    """Whether Python's zipfile extracts every file (folders are made, never opened, as `extractall` does)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    archive.read(info)
    except (zipfile.BadZipFile, NotImplementedError):
        return False
    return True


def test_ota009_flags_a_utf8_flag_only_the_central_directory_sets(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("caf\u00e9.js", b"x", flags=0x800, local_flags=0)])
    assert not zipfile_extracts(path)
    assert audit_lines(path, "OTA009") == [
        "OTA009 error <input>@139 `caf\u00e9.js`: Python's zipfile refuses to extract it (its name is flagged UTF-8 in the central directory, "
        "not in the local header: `File name in directory and header differ`); both devices install it"
    ]


@pytest.mark.parametrize("name", ["cafe.js", "caf\u00e9/"])
def test_ota009_allows_a_utf8_flag_only_the_central_directory_sets_on_an_ascii_name_or_a_folder(tmp_path, name):
    path = raw(tmp_path, [INDEX, SCRIPT, Member(name, b"", method=0, flags=0x800, local_flags=0, mode=0o40755 if name.endswith("/") else 0o100644)])
    assert zipfile_extracts(path)  # an ASCII name decodes alike either way; extractall never opens a folder
    assert audit_lines(path, "OTA009,OTA017") == []


@pytest.mark.parametrize(("flag", "why"), [(0x20, "flag bit 5 (compressed patched data)"), (0x40, "flag bit 6 (strong encryption)")])
def test_ota009_flags_a_central_flag_zipfile_refuses_and_both_devices_ignore(tmp_path, flag, why):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("a.css", b"p{}", cd_flags=flag)])
    assert not zipfile_extracts(path)
    assert audit_lines(path, "OTA009,OTA006,OTA017") == [
        f"OTA009 error <input>@139 `a.css`: Python's zipfile refuses to extract it (the central directory sets {why}, which both devices ignore); both devices install it"
    ]


@pytest.mark.parametrize(("name", "flag"), [("a.css", 0x10), ("a.css", 0x80), ("a/", 0x40)])
def test_ota009_allows_a_central_flag_zipfile_ignores_or_on_a_folder(tmp_path, name, flag):
    path = raw(tmp_path, [INDEX, SCRIPT, Member(name, b"", method=0, cd_flags=flag, mode=0o40755 if name.endswith("/") else 0o100644)])
    assert zipfile_extracts(path)
    assert audit_lines(path, "OTA009,OTA006,OTA017") == []


@pytest.mark.parametrize(("compressed", "why"), [(2, "zipfile reads 2 bytes and fails the CRC-32"), (200, "recent zipfile versions refuse overlapping entries")])
def test_ota009_flags_a_stored_member_whose_central_compressed_size_is_not_its_size(tmp_path, compressed, why):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("a.css", b"p{color:red}" * 10, method=0, cd_compressed=compressed), Member("b.js", b"b")])
    if compressed < 120:
        assert not zipfile_extracts(path)  # 200: only zipfile versions with the overlap check (3.11.10, 3.12.6, 3.13) refuse it
    assert audit_lines(path, "OTA009,OTA017") == [
        f"OTA009 error <input>@139 `a.css`: Python's zipfile refuses to extract it (it is stored, yet the central directory's compressed size, {compressed}, "
        f"is not its size, 120: {why}); both devices install it"
    ]


def test_ota009_allows_a_deflated_member_smaller_than_its_size(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("a.css", b"p{color:red}" * 10), Member("b.js", b"b", method=0)])
    assert zipfile_extracts(path)
    assert audit_lines(path, "OTA009,OTA017") == []


def unicode_path(name: bytes, crc: int) -> bytes:
    """Info-ZIP's Unicode Path extra (0x7075): Python's zipfile (3.12+) takes it as the name when `crc` is the stored name's."""
    return struct.pack("<HHBI", 0x7075, 5 + len(name), 1, crc) + name


@pytest.mark.skipif(sys.version_info < (3, 12), reason="zipfile reads the Unicode Path extra from Python 3.12")
def test_ota009_flags_a_unicode_path_extra_that_renames_the_file_for_zipfile(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data, cd_extra=unicode_path(b"README.txt", zlib.crc32(b"app.js"))), Member("b.js", b"b")])
    assert zipfile.ZipFile(path).namelist() == ["index.html", "README.txt", "b.js"]
    assert audit_lines(path, "OTA009") == ["OTA009 error <input>@66 name: Python's zipfile `README.txt`, iOS `app.js`"]


def test_ota009_flags_a_name_zipfile_cuts_at_a_nul(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member(b"evil.js\0.png", b"x")])
    assert audit_lines(path, "OTA009") == ["OTA009 error <input>@139 name: Python's zipfile `evil.js`, iOS `evil.js\\0.png`"]


def test_ota009_allows_a_unicode_path_extra_zipfile_ignores(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data, cd_extra=unicode_path(b"README.txt", 7)), Member("b.js", b"b")])  # not the name's CRC
    assert zipfile.ZipFile(path).namelist() == ["index.html", "app.js", "b.js"]
    assert audit_lines(path, "OTA009") == []


def test_ota017_flags_a_nul_in_a_name(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member(b"evil.js\0.png", b"x")])
    assert audit_lines(path, "OTA017") == [
        "OTA017 error <input>@139 entry `evil.js\\0.png` has a NUL in its name: both updaters refuse the update (`Invalid path separator`)"
    ]


def test_ota017_flags_a_name_that_crashes_android(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member(b"caf\xe9.js", b"x")])
    assert audit_lines(path, "OTA017") == [
        "OTA017 error <input>@139 Android crashes the app: IllegalArgumentException: the entry name is not valid UTF-8, "
        "which the updater does not catch (only IOException is); iOS reads the central directory instead"
    ]


def test_ota017_flags_a_stored_entry_with_a_data_descriptor(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data, method=0, descriptor=True)])
    assert audit_lines(path, "OTA017") == [
        "OTA017 error <input>@66 Android refuses the whole update (ZipException: only DEFLATED entries can have EXT descriptor); iOS reads the central directory instead"
    ]


def test_ota017_flags_a_wrong_crc_saying_ios_installs_it(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data, local_crc=0x1234, cd_crc=0x1234)])
    assert audit_lines(path, "OTA017") == [
        "OTA017 error <input>@66 Android refuses the whole update (ZipException: invalid entry CRC (expected 0x1234 but got 0x"
        f"{zlib.crc32(SCRIPT.data):x})); iOS installs it (it never checks CRC-32, `skipCRC32: true`)"
    ]


def test_ota017_allows_what_both_updaters_accept(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("C:/x.js", b"x"), Member("a/../b.js", b"x"), Member("empty.js", b"", method=0)])
    assert audit_lines(path, "OTA017,OTA003,OTA009") == []


def clash_zip(tmp_path, *members: tuple[str, str], modes=None):
    """APP, then `members` in order; a name ending in `/` is a Unix folder entry unless `modes` says otherwise."""
    items = [*APP.items(), *members]
    return bundle(tmp_path, items, modes={**{n: 0o40755 for n, _ in items if n.endswith("/")}, **(modes or {})})


CLASH_BOTH = "both updaters refuse the whole update (Android: `mkdirs` fails on a file: `Failed to ensure directory`; iOS: `createDirectory` fails on a file)"
CLASH_ANDROID = "Android refuses the whole update (`FileOutputStream` on a folder: `FileNotFoundException`); iOS deletes that folder, and anything the zip put in it, to write the file (`removeItem`)"


@pytest.mark.parametrize(("members", "expected"), [
    ((("assets/a", "x"), ("assets/a/b.js", "y")), f"@INDEX entry `assets/a/b.js` needs a folder `assets/a` where the earlier entry `assets/a` is a file: {CLASH_BOTH}"),
    ((("x", "x"), ("x/", "")), f"@INDEX entry `x/` needs a folder `x` where the earlier entry `x` is a file: {CLASH_BOTH}"),
    ((("a", "x"), ("./a//b.js", "y")), f"@INDEX entry `./a//b.js` needs a folder `a` where the earlier entry `a` is a file: {CLASH_BOTH}"),
    ((("a", "x"), ("b/../a/c.js", "y")), f"@INDEX entry `b/../a/c.js` needs a folder `a` where the earlier entry `a` is a file: {CLASH_BOTH}"),
    ((("assets/a/b.js", "y"), ("assets/a", "x")), f"@INDEX entry `assets/a` is a file where the earlier entry `assets/a/b.js` made the folder `assets/a`: {CLASH_ANDROID}"),
    ((("x/", ""), ("x", "x")), f"@INDEX entry `x` is a file where the earlier entry `x/` made the folder `x`: {CLASH_ANDROID}"),
], ids=["file-then-below", "file-then-folder-entry", "file-then-below-unnormalised", "file-then-below-dot-dot", "below-then-file", "folder-entry-then-file"])
def test_ota017_flags_a_file_and_a_folder_at_one_path(tmp_path, members, expected):
    path = clash_zip(tmp_path, *members)
    at = zipfile.ZipFile(path).infolist()[-1].header_offset  # the second, failing entry
    assert audit_lines(path, "OTA017") == [f"OTA017 error <input>{expected.replace('@INDEX', f'@{at}')}"]


def test_ota017_says_which_platform_a_path_clash_stops(tmp_path):
    # `x` is a Unix folder entry without a trailing `/`: a file on Android (its name says so), a folder on iOS
    path = clash_zip(tmp_path, ("x", ""), ("x/y.js", "y"), modes={"x": 0o40755})
    at = zipfile.ZipFile(path).getinfo("x/y.js").header_offset
    assert audit_lines(path, "OTA017") == [f"OTA017 error <input>@{at} entry `x/y.js` needs a folder `x` where the earlier entry `x` is a file: Android refuses the whole update (`mkdirs` fails on a file: `Failed to ensure directory`); iOS unpacks it"]
    # `x/` is a regular file on iOS (its Unix mode), a folder on Android
    path = clash_zip(tmp_path, ("x/", ""), ("x/y.js", "y"), modes={"x/": 0o100644})
    at = zipfile.ZipFile(path).getinfo("x/y.js").header_offset
    assert audit_lines(path, "OTA017") == [f"OTA017 error <input>@{at} entry `x/y.js` needs a folder `x` where the earlier entry `x/` is a file: iOS refuses the whole update (`createDirectory` fails on a file); Android unpacks it"]


def test_ota017_follows_a_folder_ios_replaced_with_a_file(tmp_path):
    path = clash_zip(tmp_path, ("d/x.js", "x"), ("d", "file"), ("d/y.js", "y"))
    info = {i.filename: i.header_offset for i in zipfile.ZipFile(path).infolist()}
    assert audit_lines(path, "OTA017") == [
        f"OTA017 error <input>@{info['d']} entry `d` is a file where the earlier entry `d/x.js` made the folder `d`: {CLASH_ANDROID}",
        f"OTA017 error <input>@{info['d/y.js']} entry `d/y.js` needs a folder `d` where the earlier entry `d` is a file: iOS refuses the whole update (`createDirectory` fails on a file); Android stops elsewhere",
    ]


@pytest.mark.parametrize("members", [
    (("a/b", "x"), ("ab", "x")),
    (("a", "x"), ("a.js/", "")),
    (("a/", ""), ("a/b.js", "x"), ("a/c/", ""), ("a/c/d.js", "x"), ("./a/e.js", "x")),
    (("A", "x"), ("a/b.js", "x")),  # both device file systems are case-sensitive
    (("a/b.js", "x"), ("a/b.js", "y")),  # a duplicate is OTA004's
    (("a", "x"), ("a/../a.js", "y")),  # `a/../a.js` is `a.js`
    (("a", "x"), ("../x.js", "y"), ("a/b.js", "y")),  # both updaters stop at `../x.js` (OTA003) before `a/b.js`
])
def test_ota017_allows_files_and_folders_that_do_not_meet(tmp_path, members):
    assert audit_lines(clash_zip(tmp_path, *members), "OTA017") == []


def test_ota010_scans_octet_stream_and_android_only_bodies_as_bytes(tmp_path):
    key = b"\x00\x01binary\n-----BEGIN PRIVATE KEY-----\nMII\n"
    path = raw(tmp_path, [INDEX, SCRIPT, Member("blob.bin", key), Member("hidden.dat", key, listed=False)])
    assert audit_lines(path, "OTA010") == [
        "OTA010 error /blob.bin:2:1 `/blob.bin` contains a private key",
        "OTA010 error /hidden.dat:2:1 `/hidden.dat` contains a private key",
    ]


def test_ota008_flags_a_descriptor_bomb_the_directory_hides_without_inflating_it_all(tmp_path):
    payload = b"\0" * (8 * 1024 * 1024)
    path = raw(tmp_path, [INDEX, SCRIPT, Member("pad.js", payload, descriptor=True, cd_size=10, cd_compressed=10)])
    lines = audit_lines(path, "OTA008,OTA009")
    assert lines == ["OTA008 error <input>@139 Android's stream: the entry inflates past the ratio limit; not inflated further"]  # no OTA009 "Android 0 bytes": a descriptor's header sizes are zeros


def test_ota008_allows_a_large_descriptor_entry_that_compresses_normally(tmp_path):
    import random

    data = random.Random(4).randbytes(300_000)
    path = raw(tmp_path, [INDEX, SCRIPT, Member("big.bin", data, descriptor=True)])
    assert audit_lines(path, "OTA008,OTA009,OTA017") == []


def test_ota009_allows_a_highly_compressible_descriptor_entry(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member("pad.css", b"a" * 300_000, descriptor=True)])
    assert audit_lines(path, "OTA008,OTA009,OTA017") == []


def test_ota010_scans_both_copies_of_a_duplicate(tmp_path):
    path = raw(tmp_path, [INDEX, Member("app.js", b"// -----BEGIN EC PRIVATE KEY-----\n"), SCRIPT])
    assert audit_lines(path, "OTA010") == ["OTA010 error /app.js#copy-2:1:4 `/app.js#copy-2` contains a private key"]


def test_ota010_scans_a_binary_file_in_a_folder_as_bytes(app):
    path = app({"index.html": "x", "data/blob.dat": b"\xff\xfe\x00-----BEGIN OPENSSH PRIVATE KEY-----\n"})
    assert audit_lines(path, "OTA010") == ["OTA010 error /data/blob.dat:1:4 `/data/blob.dat` contains a private key"]


def test_ota009_flags_zip64_sizes_that_differ_from_the_directory(tmp_path):
    extra = struct.pack("<HHQQ", 1, 16, 5, 5)  # the local zip64 extra says 5 bytes; the directory says 35
    path = raw(tmp_path, [INDEX, Member("app.js", SCRIPT.data + b"x" * 5, method=0, local_size=0xFFFFFFFF, local_compressed=0xFFFFFFFF, local_extra=extra), Member("b.js", b"b")])
    lines = audit_lines(path, "OTA009")
    assert lines[0] == "OTA009 error <input>@66 `app.js` differs between the platforms: size: Android 5 bytes, iOS 40 bytes"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_zips_give_findings_never_a_crashed_rule(tmp_path, data):
    original = bytearray(raw_zip([INDEX, SCRIPT, Member("a/b.css", b"p{}" * 40, descriptor=True), Member("l", b"app.js", method=0, mode=0o120777)]))
    for _ in range(data.draw(st.integers(1, 6))):
        original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "m.zip"
    path.write_bytes(bytes(original))
    lines = audit_lines(path, "OTA")
    assert not [line for line in lines if line.startswith("AUD002")]


def test_ota010_scans_the_body_android_streams_at_a_path_ios_serves_differently(tmp_path):
    evil = Member("app.js", b"-----BEGIN PRIVATE KEY-----\n", listed=False)
    path = raw(tmp_path, [INDEX, SCRIPT, evil])
    assert audit_lines(path, "OTA010") == ["OTA010 error /app.js#android-3:1:1 `/app.js#android-3` contains a private key"]


def test_ota003_flags_an_empty_name(tmp_path):
    path = raw(tmp_path, [INDEX, SCRIPT, Member(b"", b"x")])
    assert audit_lines(path, "OTA003") == ["OTA003 error <input>@139 entry `` is empty; both updaters refuse the whole update (`canonical_path_fail`)"]


CENTRAL_FIELDS = {"method": (10, "<H"), "crc": (16, "<I"), "compressed": (20, "<I"), "size": (24, "<I"), "offset": (42, "<I")}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2), st.sampled_from(sorted(CENTRAL_FIELDS)), st.integers(0, 2**32 - 1))
def test_a_central_directory_field_that_lies_always_gives_a_finding_or_an_input_error(tmp_path, index, field, value):
    data = bytearray(raw_zip([INDEX, SCRIPT, Member("a.css", b"p{color:red}" * 20)]))
    record = data.find(b"PK\x01\x02")
    for _ in range(index):
        record = data.find(b"PK\x01\x02", record + 4)
    at, fmt = CENTRAL_FIELDS[field]
    value &= 0xFFFF if fmt == "<H" else 0xFFFFFFFF
    if struct.unpack_from(fmt, data, record + at)[0] == value:
        return  # not a lie
    struct.pack_into(fmt, data, record + at, value)
    path = tmp_path / "lie.zip"
    path.write_bytes(bytes(data))
    lines = audit_lines(path, "OTA,AUD")
    assert not [line for line in lines if line.startswith("AUD002")]
    assert [line for line in lines if line.startswith(("OTA0", "AUD001", "AUD003"))], "a lie in the central directory went unnoticed"
