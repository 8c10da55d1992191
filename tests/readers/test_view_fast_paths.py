"""The shortcuts the OTA views and rules take at 100 000 members give what the plain algorithms give.

Each reference below is the code before the shortcut (a dict per view, a function call per
entry, a path loop per name); zips are well-formed, hostile (zipcraft `Member` lies) and mutated.
A pair `reads_alike` must be one `compare_pair` finds nothing in.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zipcraft import Member, raw_zip

from auditor.capgo import android_unzip, ios_unzip, updater
from auditor.capgo.zip_views import ZipViews, android_name, android_only, compare_pair, differences, flatten_root, python_view, reads_alike, resource_path, top_level, twins
from auditor.engine.errors import InputError
from auditor.engine.limits import DEFAULT_LIMITS as LIMITS
from auditor.engine.model import ArchiveEntry


def views(data: bytes) -> ZipViews:
    ios = ios_unzip.walk(data, LIMITS)
    android = android_unzip.walk(data, LIMITS, directory={e.local_offset: e for e in ios.entries})
    return ZipViews(android, ios, python_view(io.BytesIO(data), LIMITS.max_resources))


def reference_resource_path(name: str) -> str:
    name = name.lstrip("/")
    while name.startswith("./"):
        name = name[2:].lstrip("/")
    return "/" + name


def reference_tops(names: list[str]) -> dict[str, bool]:
    tops: dict[str, bool] = {}
    for name in names:
        first, sep, _ = reference_resource_path(name)[1:].partition("/")
        if first:
            tops[first] = tops.get(first, False) or bool(sep)
    return tops


names = st.text(st.sampled_from("ab./\\."), max_size=8) | st.sampled_from(["", "/", "./", ".//a", "a/../..", "../x", "a/./b", "__MACOSX/x", ".env"])
lies = st.sampled_from([{}, {"cd_size": 1}, {"cd_crc": 7}, {"local_method": 0}, {"cd_method": 0}, {"listed": False}, {"cd_offset": 0}, {"mode": 0o120777}, {"mode": 0o040755}, {"cd_name": b"other.js"}, {"local_name": b"x.js"}])
members = st.lists(st.tuples(names.filter(bool), st.binary(max_size=60), st.sampled_from([0, 8]), lies), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(members, st.data())
def test_twins_are_found_by_offset_and_a_pair_read_alike_has_no_difference(items, draw):
    data = bytearray(raw_zip([Member(name, body, method=method, **lie) for name, body, method, lie in items]))
    for _ in range(draw.draw(st.sampled_from([0, 0, 1, 3]))):
        data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    seen = views(bytes(data))
    directory, streamed = seen.ios.entries, seen.android.entries
    by_offset = {e.offset: e for e in streamed}
    assert list(twins(directory, streamed)) == [(e, by_offset.get(e.local_offset)) for e in directory]
    assert list(android_only(directory, streamed)) == [e for e in streamed if e.offset not in {i.local_offset for i in directory}]
    for entry, twin in twins(directory, streamed):
        if twin is not None and reads_alike(twin, entry):
            assert compare_pair(twin, entry) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(names, max_size=6))
def test_paths_and_top_level_items_are_what_the_path_loop_gives(items):
    assert [resource_path(n) for n in items] == [reference_resource_path(n) for n in items]
    assert top_level(items) == reference_tops(items)
    for android in (True, False):
        assert flatten_root(items, android=android) == flatten_root(items, android=android, tops=reference_tops(items))


@settings(max_examples=300, deadline=None)
@given(names)
def test_unsafe_names_are_found_with_or_without_the_dotdot_shortcut(name):
    plain = "is empty" if not name else "contains a backslash" if "\\" in name else "is an absolute path" if name.startswith("/") else (
        "climbs out of the bundle folder with `..`" if updater.escapes(name.split("/")) else None
    )
    assert updater.unsafe_name_reason(name) == plain


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(names.filter(bool), st.sampled_from([0, 3, 19, 7]), st.sampled_from([0o100644, 0o120777, 0o040755, 0, 0o010644])), min_size=1, max_size=4))
def test_the_inline_entry_kind_is_entry_kind(items):
    data = raw_zip([Member(name, b"x", made_by=made_by, mode=mode) for name, made_by, mode in items])
    for entry in ios_unzip.walk(data, LIMITS).entries:
        assert entry.kind == ios_unzip.entry_kind(entry.name, entry.made_by, entry.external_attr)


def test_a_well_formed_zip_has_no_differences_either_way():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(20):
            archive.writestr(f"assets/m{i}.js", "x" * i)
    seen = views(buffer.getvalue())
    assert differences(seen) == [] and all(reads_alike(a, i) for i, a in twins(seen.ios.entries, seen.android.entries))


def reference_entry_names(views: ZipViews, tagged: bool) -> list[tuple[ArchiveEntry, str]]:
    out, seen = [], set()
    for e in views.ios.entries:
        seen.add((e.local_offset, e.name))
        out.append((ArchiveEntry(e.name, e.size, e.compressed_size, e.central_method, e.flags, e.external_attr, e.made_by, e.local_offset, e.crc), f"i:{e.name}" if tagged else e.name))
    for a in views.android.entries:
        name = android_name(a)
        if tagged or (a.offset, name) not in seen:
            out.append((ArchiveEntry(name, a.size, a.compressed_size, a.method, a.flags, 0, 0, a.offset, a.crc), f"a:{name}" if tagged else name))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members)
def test_entry_names_are_what_the_set_of_ios_entries_gave(tmp_path, items):
    from auditor.rules.ota_archive import entry_names

    from auditor.engine.context import AuditSession, Context
    from auditor.readers import open_input

    path = tmp_path / "b.zip"
    path.write_bytes(raw_zip([Member(name, body, method=method, **lie) for name, body, method, lie in items]))
    try:
        bundle = open_input(path)
    except InputError:
        return
    ctx = Context(AuditSession(bundle))
    for tagged in (False, True):
        assert list(entry_names(ctx, tagged=tagged)) == reference_entry_names(bundle.archive.views, tagged)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["node_modules", ".git", "a", ".gitx", "node_modules.txt", "", "x.git"]), min_size=1, max_size=4).map("/".join))
def test_a_path_without_a_dev_folder_mark_has_no_dev_folder(path):
    from auditor.rules.ota_archive import DEV_FOLDER_MARK, DEV_FOLDERS

    folder = next((p for p in DEV_FOLDERS if p in ("/" + path).split("/")[:-1]), None)
    assert folder is None or DEV_FOLDER_MARK.search("/" + path)
