"""An OTA zip as each reader sees it (Android stream, iOS directory, Python's `zipfile`), and where they differ.

The two device views come from `android_unzip` and `ios_unzip`; Python's view
(`python_unzip`: what `zipfile.ZipFile(f).infolist()` lists, without building it) is
what most tools (and reviewers) see. An OTA zip is safe to audit only when all
three agree: the same entries at the same local headers, with the same names,
sizes, bytes and file types. `differences` lists every disagreement, naming both
sides; rules turn them into findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditor.capgo import android_unzip, ios_unzip, python_unzip
from auditor.capgo.android_unzip import StreamEntry, StreamView
from auditor.capgo.ios_unzip import DirectoryEntry, DirectoryView
from auditor.capgo.python_unzip import PythonView
from auditor.engine.limits import Limits


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


def views_of(data, limits: Limits) -> ZipViews:
    """The three views of one archive (bytes or a memory map): what the OTA reader keeps."""
    ios = ios_unzip.walk(data, limits)
    directory = {e.local_offset: e for e in ios.entries}  # the last record naming a header, as before
    android = android_unzip.walk(data, limits, directory=directory)
    del directory
    return ZipViews(android, ios, python_listing(data, limits.max_resources, ios))


def python_listing(data, max_entries: int, ios: DirectoryView) -> PythonView:
    """Python's view: derived from the iOS entries when it must equal them, else walked on its own."""
    derived = python_unzip.from_directory(data, max_entries, ios)
    return derived if derived is not None else python_unzip.walk(data, max_entries)


def python_view(handle, max_entries: int) -> PythonView:
    """What `zipfile.ZipFile(handle).infolist()` lists (`python_unzip`: derived, never builds a ZipInfo)."""
    handle.seek(0)
    return python_unzip.walk(handle.read(), max_entries)


def resource_path(name: str) -> str:
    """The path the member is served at: `./index.html` and `index.html` are both `/index.html`."""
    if name[:1] not in ("/", "."):
        return "/" + name  # what the loop below gives a name with nothing to strip
    name = name.lstrip("/")
    while name.startswith("./"):
        name = name[2:].lstrip("/")
    return "/" + name


def top_level(names: Iterable[str]) -> dict[str, bool]:
    """Each top-level item of the served tree -> whether it is a folder (some name goes below it)."""
    tops: dict[str, bool] = {}
    for name in names:
        first, sep, _ = (name if name[:1] not in ("/", ".") else resource_path(name)[1:]).partition("/")
        if first:
            if sep:
                tops[first] = True
            else:
                tops.setdefault(first, False)
    return tops


def flatten_root(names: Iterable[str], *, android: bool, tops: dict[str, bool] | None = None) -> str | None:
    """The single top-level folder the updater makes the bundle root, or None.

    Android (`flattenAssets`) ignores names starting with `__MACOSX` or `.` and
    moves the one remaining child unless it is `index.html`; iOS (`unflatFolder`)
    counts every top-level item and moves a lone folder when there is no root
    `index.html`. `tops` is `top_level(names)` when the caller has it already.
    """
    tops = top_level(names) if tops is None else tops
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


def reads_alike(a: StreamEntry, i: DirectoryEntry) -> bool:
    """A file both platforms read alike (same name, sizes, CRC, method and bytes): `compare_pair`
    would find nothing, decided without it. False says nothing; `compare_pair` then looks."""
    return (
        a.name is not None and a.name == i.name and not a.withheld and i.kind == "file" and not i.name.endswith("/")
        and (a.actual_size if a.actual_size is not None else a.size) == i.size and a.crc == i.crc
        and a.method == i.method == i.central_method and a.data_offset == i.data_offset and a.data_length == i.data_length
    )


def twins(directory: tuple[DirectoryEntry, ...], streamed: tuple[StreamEntry, ...]) -> Iterator[tuple[DirectoryEntry, StreamEntry | None]]:
    """Each iOS entry with Android's entry at the same local header, or None.

    Android's offsets only grow (each header is after the last), so entry i of both
    views is usually the twin; the offsets go into a dict only for one that is not.
    """
    by_offset: dict[int, StreamEntry] | None = None
    for index, entry in enumerate(directory):
        twin = streamed[index] if index < len(streamed) else None
        if twin is None or twin.offset != entry.local_offset:
            if by_offset is None:
                by_offset = {e.offset: e for e in streamed}
            twin = by_offset.get(entry.local_offset)
        yield entry, twin


def android_only(directory: tuple[DirectoryEntry, ...], streamed: tuple[StreamEntry, ...]) -> Iterator[StreamEntry]:
    """Android's entries at a local header no iOS entry names (a set of offsets only past the first one out of step)."""
    offsets: set[int] | None = None
    for index, entry in enumerate(streamed):
        if index < len(directory) and directory[index].local_offset == entry.offset:
            continue
        if offsets is None:
            offsets = {e.local_offset for e in directory}
        if entry.offset not in offsets:
            yield entry


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
    if ios.failure is not None:
        found.append(Difference(f"iOS cannot open the archive ({ios.failure}); Android installs {len(android.entries)} entries", None))
    elif ios.stopped is not None and not ios.incomplete:
        found.append(Difference(
            f"iOS stops silently after {len(ios.entries)} of {ios.declared_count} central directory entries ({ios.stopped}) and installs only those",
            None,
        ))
    for entry, twin in twins(ios.entries, android.entries):
        if twin is None:
            if android.failure is None and not android.incomplete:
                found.append(Difference(f"`{entry.name}`: only iOS installs it; Android's stream never reaches its local header at offset {entry.local_offset}", entry.local_offset, entry.name))
            continue
        if not reads_alike(twin, entry):
            found.extend(Difference(f"`{entry.name}` differs between the platforms: {what}", entry.local_offset, entry.name) for what in compare_pair(twin, entry))
        refusal = python_refusal(twin, entry)
        if refusal is not None:
            found.append(Difference(f"`{entry.name}`: Python's zipfile refuses to extract it ({refusal}); both devices install it", entry.local_offset, entry.name))
    if ios.failure is None and not ios.incomplete:
        for entry in android_only(ios.entries, android.entries):
            found.append(Difference(
                f"`{android_name(entry)}`: only Android installs it; its local header at offset {entry.offset} is not in the central directory iOS reads",
                entry.offset, android_name(entry),
            ))
    found.extend(python_differences(python, ios))
    return found


def python_differences(python: PythonView, ios: DirectoryView) -> list[Difference]:
    """Python's `zipfile` against the iOS view (both read the central directory), entry i against entry i."""
    if python.failure is not None:
        if ios.failure is None:
            return [Difference(f"Python's zipfile cannot read the archive ({python.failure}); iOS reads {len(ios.entries)} entries", None)]
        return []
    if ios.failure is not None:
        return [Difference(f"Python's zipfile lists {len(python)} entries; iOS cannot open the archive", None)]
    found = []
    if len(python) != len(ios.entries) and not ios.incomplete:
        found.append(Difference(f"Python's zipfile lists {len(python)} entries, iOS installs {len(ios.entries)}", None))
    concat = python.concat
    for name, size, compressed, offset, entry in zip(python.names, python.sizes, python.compressed_sizes, python.stored_offsets, ios.entries, strict=False):
        if offset + concat != entry.local_offset:
            found.append(Difference(
                f"`{name}`: Python's zipfile reads its local header at offset {offset + concat}, iOS at {entry.local_offset} (data before the zip?)",
                entry.local_offset, name,
            ))
        elif name != entry.name:
            shown = [n.replace("\0", "\\0") for n in (name, entry.name)]
            found.append(Difference(f"name: Python's zipfile `{shown[0]}`, iOS `{shown[1]}`", entry.local_offset, entry.name))
        elif size != entry.size or compressed != entry.compressed_size:
            found.append(Difference(
                f"`{name}`: Python's zipfile {size} bytes ({compressed} compressed), iOS {entry.size} ({entry.compressed_size})",
                entry.local_offset, name,
            ))
    return found
