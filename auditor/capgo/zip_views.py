"""An OTA zip as each reader sees it (Android stream, iOS directory, Python's `zipfile`), and where they differ.

The two device views come from `android_unzip` and `ios_unzip`; Python's view is
what most tools (and reviewers) see. An OTA zip is safe to audit only when all
three agree: the same entries at the same local headers, with the same names,
sizes, bytes and file types. `differences` lists every disagreement, naming both
sides; rules turn them into findings.
"""

from __future__ import annotations

import sys
import zipfile
from dataclasses import dataclass

from auditor.capgo.android_unzip import StreamEntry, StreamView
from auditor.capgo.ios_unzip import DirectoryEntry, DirectoryView

PY_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OverflowError, NotImplementedError, KeyError, IndexError, OSError)


@dataclass(frozen=True, slots=True)
class PythonEntry:
    name: str
    size: int
    compressed_size: int
    method: int
    header_offset: int  # after zipfile's correction for prepended data


@dataclass(frozen=True, slots=True)
class PythonView:
    entries: tuple[PythonEntry, ...]
    failure: str | None = None


@dataclass(frozen=True, slots=True)
class ZipViews:
    """The three views of one archive; readers put it in `Bundle.extra["zip_views"]`."""

    android: StreamView
    ios: DirectoryView
    python: PythonView


@dataclass(frozen=True, slots=True)
class Difference:
    """One disagreement between views, at a local header (or the archive when None)."""

    message: str
    offset: int | None
    name: str | None = None


def python_view(handle, max_entries: int) -> PythonView:
    """What `zipfile.ZipFile` lists (never reads a body)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                return PythonView((), f"more than {max_entries} entries")
            return PythonView(tuple(PythonEntry(sys.intern(i.filename), i.file_size, i.compress_size, i.compress_type, i.header_offset) for i in infos))
    except PY_ERRORS as exc:
        return PythonView((), f"{type(exc).__name__}: {exc}")


def resource_path(name: str) -> str:
    """The path the member is served at: `./index.html` and `index.html` are both `/index.html`."""
    name = name.lstrip("/")
    while name.startswith("./"):
        name = name[2:].lstrip("/")
    return "/" + name


def flatten_root(names: list[str], *, android: bool) -> str | None:
    """The single top-level folder the updater makes the bundle root, or None.

    Android (`flattenAssets`) ignores names starting with `__MACOSX` or `.` and
    moves the one remaining child unless it is `index.html`; iOS (`unflatFolder`)
    counts every top-level item and moves a lone folder when there is no root
    `index.html`.
    """
    tops: dict[str, bool] = {}
    for name in names:
        first, sep, _ = resource_path(name)[1:].partition("/")
        if first:
            tops[first] = tops.get(first, False) or bool(sep)
    if android:
        tops = {k: v for k, v in tops.items() if not k.startswith(("__MACOSX", "."))}
        if len(tops) == 1 and "index.html" not in tops:
            return next(iter(tops))
        return None
    if len(tops) == 1 and "index.html" not in tops and next(iter(tops.values())):
        return next(iter(tops))
    return None


def served_path(name: str, root: str | None) -> str:
    path = resource_path(name)
    return "/" + path[len(root) + 2 :] if root and path.startswith(f"/{root}/") else path


def android_name(entry: StreamEntry) -> str:
    return entry.name if entry.name is not None else (entry.raw_name or b"").decode("utf-8", "replace")


def android_kind(entry: StreamEntry) -> str:
    """`ZipEntry.isDirectory()`: the name ends with `/`."""
    return "directory" if android_name(entry).endswith("/") else "file"


def android_size(entry: StreamEntry) -> int:
    return entry.actual_size if entry.actual_size is not None else entry.size


def compare_pair(a: StreamEntry, i: DirectoryEntry) -> list[str]:
    """How one entry differs between the Android and the iOS view."""
    found = []
    name_a = android_name(a)
    if name_a != i.name:
        found.append(f"name: Android `{name_a}` (local header, UTF-8), iOS `{i.name}` (central directory{', UTF-8' if i.flags & 0x800 else ', code page 437'})")
    kind_a, kind_i = android_kind(a), i.kind
    if kind_a != kind_i and kind_i != "symlink":  # symlinks are OTA005's
        found.append(f"file type: Android writes a {kind_a}, iOS a {kind_i}")
    if kind_i == "file" and (not a.withheld or not a.flags & 0x8):  # a withheld member has its header's sizes (zeros under a descriptor)
        size_a = android_size(a)
        if size_a != i.size:
            found.append(f"size: Android {size_a} bytes, iOS {i.size} bytes")
        elif not a.withheld and (a.method, a.data_offset, a.data_length) != (i.method, i.data_offset, i.data_length):
            found.append(
                f"bytes: Android reads {a.data_length} bytes at offset {a.data_offset} (method {a.method}), "
                f"iOS {i.data_length} bytes at offset {i.data_offset} (method {i.method})"
            )
    if i.crc != a.crc and not a.withheld:
        found.append(f"CRC-32: the local header or data descriptor says 0x{a.crc:08x}, the central directory 0x{i.crc:08x}")
    if a.method != i.central_method:
        found.append(f"compression method: local header {a.method}, central directory {i.central_method}")
    return found


def python_refusal(a: StreamEntry, i: DirectoryEntry) -> str | None:
    """Why `zipfile` cannot extract a file both devices agree on, or None.

    `zipfile` decodes the local name by the local header's UTF-8 flag and wants
    it equal to the central one; Android reads names as UTF-8 whatever the flag,
    iOS reads only the central directory. It refuses central flag bits 5
    (patched data) and 6 (strong encryption), which both devices ignore (they
    check bit 0 only). It reads a stored member's compressed size, the devices
    its size (Python 3.11.10, 3.12.6 and 3.13 refuse one that runs into the next
    entry). Folders are made, never opened.
    """
    if i.name.endswith("/"):
        return None
    if i.flags & 0x60:
        return f"the central directory sets flag bit {5 if i.flags & 0x20 else 6} ({'compressed patched data' if i.flags & 0x20 else 'strong encryption'}), which both devices ignore"
    if i.flags & 0x800 and not a.flags & 0x800 and not i.name.isascii():
        return "its name is flagged UTF-8 in the central directory, not in the local header: `File name in directory and header differ`"
    if i.central_method == 0 and i.compressed_size != i.size:
        outcome = f"zipfile reads {i.compressed_size} bytes and fails the CRC-32" if i.compressed_size < i.size else "recent zipfile versions refuse overlapping entries"
        return f"it is stored, yet the central directory's compressed size, {i.compressed_size}, is not its size, {i.size}: {outcome}"
    return None


def differences(views: ZipViews) -> list[Difference]:
    """Every disagreement between the Android view, the iOS view and Python's zipfile."""
    found: list[Difference] = []
    android, ios, python = views.android, views.ios, views.python
    by_offset = {e.offset: e for e in android.entries}
    ios_offsets = {e.local_offset for e in ios.entries}
    if ios.failure is not None:
        found.append(Difference(f"iOS cannot open the archive ({ios.failure}); Android installs {len(android.entries)} entries", None))
    elif ios.stopped is not None and not ios.incomplete:
        found.append(Difference(
            f"iOS stops silently after {len(ios.entries)} of {ios.declared_count} central directory entries ({ios.stopped}) and installs only those",
            None,
        ))
    for entry in ios.entries:
        twin = by_offset.get(entry.local_offset)
        if twin is None:
            if android.failure is None and not android.incomplete:
                found.append(Difference(f"`{entry.name}`: only iOS installs it; Android's stream never reaches its local header at offset {entry.local_offset}", entry.local_offset, entry.name))
            continue
        found.extend(Difference(f"`{entry.name}` differs between the platforms: {what}", entry.local_offset, entry.name) for what in compare_pair(twin, entry))
        refusal = python_refusal(twin, entry)
        if refusal is not None:
            found.append(Difference(f"`{entry.name}`: Python's zipfile refuses to extract it ({refusal}); both devices install it", entry.local_offset, entry.name))
    if ios.failure is None and not ios.incomplete:
        for entry in android.entries:
            if entry.offset not in ios_offsets:
                found.append(Difference(
                    f"`{android_name(entry)}`: only Android installs it; its local header at offset {entry.offset} is not in the central directory iOS reads",
                    entry.offset, android_name(entry),
                ))
    found.extend(python_differences(python, ios))
    return found


def python_differences(python: PythonView, ios: DirectoryView) -> list[Difference]:
    """Python's `zipfile` against the iOS view (both read the central directory)."""
    if python.failure is not None:
        if ios.failure is None:
            return [Difference(f"Python's zipfile cannot read the archive ({python.failure}); iOS reads {len(ios.entries)} entries", None)]
        return []
    if ios.failure is not None:
        return [Difference(f"Python's zipfile lists {len(python.entries)} entries; iOS cannot open the archive", None)]
    found = []
    if len(python.entries) != len(ios.entries) and not ios.incomplete:
        found.append(Difference(f"Python's zipfile lists {len(python.entries)} entries, iOS installs {len(ios.entries)}", None))
    for py, entry in zip(python.entries, ios.entries, strict=False):
        if py.header_offset != entry.local_offset:
            found.append(Difference(
                f"`{py.name}`: Python's zipfile reads its local header at offset {py.header_offset}, iOS at {entry.local_offset} (data before the zip?)",
                entry.local_offset, py.name,
            ))
        elif py.name != entry.name:
            shown = [n.replace("\0", "\\0") for n in (py.name, entry.name)]
            found.append(Difference(f"name: Python's zipfile `{shown[0]}`, iOS `{shown[1]}`", entry.local_offset, entry.name))
        elif (py.size, py.compressed_size) != (entry.size, entry.compressed_size):
            found.append(Difference(
                f"`{py.name}`: Python's zipfile {py.size} bytes ({py.compressed_size} compressed), iOS {entry.size} ({entry.compressed_size})",
                entry.local_offset, py.name,
            ))
    return found
