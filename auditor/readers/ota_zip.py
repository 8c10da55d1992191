"""A Capacitor OTA update bundle (a zip of the built web folder), read without extracting.

The two platforms unpack a bundle with different readers, so the zip is read
three ways (`auditor/capgo`): the Android view (local headers streamed from
offset 0, as `ZipInputStream`), the iOS view (the central directory from the
last end record, as ZIPFoundation) and Python's `zipfile` (what `infolist()`
lists, derived without building it: `python_unzip`). Their differences are
for the rules (OTA009); the resources are every distinct member body either
platform installs (a duplicate's earlier copy too, under `path#copy-N`, an
Android-only body under `path#android-N`). A single top-level folder both
updaters make the bundle root is served from `/`.

Bodies are decompressed lazily, on demand, and never past the smaller of the
caller's limit and the declared size; a member whose declared sizes look like a
bomb is never inflated at all. Nothing is ever written to disk.

Sized for `max_resources` (100 000) members: the views are named tuples that share
names and int objects, a resource is one `MemberBody` (no separate opener), and
the rules' cross-view lookups pair entry i with entry i before any dict is built
(`benchmarks/ota_zip.py`).
"""

from __future__ import annotations

import functools
import mmap
import re
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from auditor.capgo.android_unzip import HEAD, PAGE, release
from auditor.capgo.zip_views import ZipViews, android_kind, android_name, android_size, flatten_root, served_path, top_level, views_of
from auditor.engine.errors import LimitExceeded, Malformed
from auditor.engine.limits import Limits
from auditor.engine.model import Archive, ArchiveEntry, Body, Bundle, InputKind, Resource, _located, _search_chunks
from auditor.engine.record import replace
from auditor.engine.settings import Settings
from auditor.readers.folder import guess_content_type

CHUNK = 64 * 1024
SMALL_READS_RELEASE = 8 * 1024 * 1024  # file pages small member reads may leave resident
STORED, DEFLATED = 0, 8
CONTENT_TYPE_ONLY = ("content-type",)
NO_HEADERS: Mapping[str, str] = MappingProxyType({})


@functools.lru_cache(maxsize=256)
def shared_headers(content_type: str) -> Mapping[str, str]:
    """One read-only header map per content type: 100k members share a few, not 100k dicts."""
    return MappingProxyType({"content-type": content_type})


class ArchiveFile:
    """One read-only memory map of the zip, opened on first use and shared by every member reader.

    Small members are read in one piece with no page release of their own: the
    map's pages are dropped from the resident set once `SMALL_READS_RELEASE` bytes
    have been read that way (one madvise per 8 MB, not one per member).
    """

    __slots__ = ("_map", "_unreleased", "path")

    def __init__(self, path: Path) -> None:
        self.path, self._map, self._unreleased = path, None, 0

    def bytes(self) -> mmap.mmap | bytes:
        if self._map is None:
            with open(self.path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if self.path.stat().st_size else b""
        return self._map

    def touched(self, length: int) -> None:
        self._unreleased += length
        if self._unreleased > SMALL_READS_RELEASE and self._map:
            self._unreleased = 0
            release(self._map, 0, len(self._map))


class MemberBody(Body):
    """A member's body, read from the archive map on demand: `read(n)` never inflates past `n`,
    `chunks(n)` yields the same bytes piecewise so a byte scan never holds the whole member.

    One object per member (a Body with the member's place), built positionally: 100 000 of
    them in a large bundle. A member of at most `CHUNK` compressed bytes read for at most
    `CHUNK * 16` is one slice and one inflate call, exactly the first step of the piecewise
    path (which is all it takes); its pages go with the archive's (`ArchiveFile.touched`).
    """

    __slots__ = ("archive", "data_length", "data_offset", "head", "method")

    def __init__(self, size: int, archive: ArchiveFile, method: int, data_offset: int | None, data_length: int, withheld: bool, head: bytes | None = None) -> None:
        self.size, self.withheld, self.archive, self.method, self.data_offset, self.data_length = size, withheld, archive, method, data_offset, data_length
        self.head = head  # the first bytes Android's walk inflated from these very bytes (`StreamEntry.head`), or None
        self._view = self._path = self._opener = self._release = None

    def read(self, limit: int | None = None) -> bytes:
        return self(self.size if limit is None else min(limit, self.size))

    def search(self, pattern: re.Pattern[bytes], limit: int) -> tuple[int, int, int, int] | None:
        if self.size == 0:
            return None
        n = min(limit, self.size)
        if self.data_length <= CHUNK and n <= CHUNK * 16:
            data = self.small(n)
            return _located(pattern.search(data), data)  # what `_search_chunks` gives for its one piece
        return _search_chunks(pattern, self.chunks(n))

    def __call__(self, n: int) -> bytes:
        if self.data_length <= CHUNK and n <= CHUNK * 16:
            return self.small(n)
        return b"".join(self.chunks(n))

    def small(self, n: int) -> bytes:
        if self.data_offset is None or n <= 0 or self.method not in (STORED, DEFLATED):
            return b""
        head = self.head
        if head is not None and (n <= len(head) or len(head) < HEAD):
            return head[:n]  # a short read (a file type sniffed) answered by what the walk inflated: the same bytes
        data = self.archive.bytes()
        start = self.data_offset
        stop = min(len(data), start + self.data_length)
        if start >= stop:
            return b""
        self.archive.touched(stop - start)
        if self.method == STORED:
            return data[start : min(stop, start + n)]
        try:
            return zlib.decompressobj(-15).decompress(data[start:stop], n)
        except zlib.error:
            return b""  # corrupt data: nothing inflated before the error in this one step

    def chunks(self, n: int) -> Iterator[bytes]:
        if self.data_length <= CHUNK and n <= CHUNK * 16:
            out = self.small(n)
            if out:
                yield out
            return
        if self.data_offset is None or n <= 0 or self.method not in (STORED, DEFLATED):
            return
        data = self.archive.bytes()
        start = self.data_offset
        stop = min(len(data), start + self.data_length)
        if self.method == STORED:
            stop = min(stop, start + n)
            for at in range(start, stop, CHUNK * 16):
                yield data[at : min(stop, at + CHUNK * 16)]
                release(data, at, at + CHUNK * 16 - PAGE)
            return
        yield from inflate_chunks(data, start, stop, n)


RESOURCE_FIELDS = ("path", "status", "headers", "body", "raw_url", "source_path", "byte_range", "header_names_raw")


def resource_builder() -> Callable[[str, Mapping[str, str], Body, str, tuple[int, int], tuple[str, ...]], Resource]:
    """`Resource(path=..., headers=..., body=..., source_path=..., byte_range=..., header_names_raw=...)`
    in a third of the time: the frozen record's slots are filled directly (its `__init__` calls
    `object.__setattr__` once per field). Fails at import if `Resource` gains or loses a field."""
    names = Resource._fields
    if names != RESOURCE_FIELDS:
        raise RuntimeError(f"Resource fields changed ({names}): update ota_zip.resource_builder")
    set_path, set_status, set_headers, set_body, set_raw_url, set_source, set_range, set_names = (getattr(Resource, n).__set__ for n in names)
    new = object.__new__

    def build(path: str, headers: Mapping[str, str], body: Body, source_path: str, byte_range: tuple[int, int], header_names_raw: tuple[str, ...]) -> Resource:
        resource = new(Resource)
        set_path(resource, path)
        set_status(resource, 200)
        set_headers(resource, headers)
        set_body(resource, body)
        set_raw_url(resource, None)
        set_source(resource, source_path)
        set_range(resource, byte_range)
        set_names(resource, header_names_raw)
        return resource

    return build


new_resource = resource_builder()


def inflate_chunks(data, start: int, stop: int, want: int) -> Iterator[bytes]:
    """Raw-deflate at most `want` bytes from the compressed bytes `data[start:stop]`, a piece at a time."""
    inflater = zlib.decompressobj(-15)
    pos, produced = start, 0
    pending = b""
    try:
        while produced < want:
            if not pending:
                if pos >= stop or inflater.eof:
                    return
                pending = data[pos : min(stop, pos + CHUNK)]
                release(data, pos - CHUNK, pos - PAGE)
                pos += len(pending)
            out = inflater.decompress(pending, min(CHUNK * 16, want - produced))
            pending = inflater.unconsumed_tail
            produced += len(out)
            if out:
                yield out
    except zlib.error:
        return  # corrupt data: what inflated so far is all there is


def is_bomb_like(size: int, compressed_size: int, limits: Limits, total_so_far: int) -> bool:
    """A member whose declared sizes say "bomb": its body is never inflated (OTA008 reports it)."""
    return limits.zip_member_bomb(size, compressed_size) is not None or limits.zip_total_bomb(total_so_far)


def read_views(path: Path, size: int, limits: Limits) -> ZipViews:
    """The Android, iOS and Python views of the archive, from one memory map."""
    with open(path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        try:
            return views_of(data, limits)
        finally:
            if isinstance(data, mmap.mmap):
                data.close()


class ArchiveEntries(Sequence[ArchiveEntry]):
    """`Archive.entries` as a view of the iOS records (or Android's when iOS cannot open the
    zip): each `ArchiveEntry` is built when asked for, never a second copy of the directory."""

    __slots__ = ("_ios", "_records")

    def __init__(self, views: ZipViews) -> None:
        self._ios = views.ios.failure is None
        self._records = views.ios.entries if self._ios else views.android.entries

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._entry(r) for r in self._records[index])
        return self._entry(self._records[index])

    def __iter__(self) -> Iterator[ArchiveEntry]:
        return map(self._entry, self._records)

    def _entry(self, e) -> ArchiveEntry:
        if self._ios:
            return ArchiveEntry(e.name, e.size, e.compressed_size, e.central_method, e.flags, e.external_attr, e.made_by, e.local_offset, e.crc)
        return ArchiveEntry(android_name(e), android_size(e), e.data_length, e.method, e.flags, 0, 0, e.offset, e.crc)


def archive_entries(views: ZipViews) -> Sequence[ArchiveEntry]:
    """Directory facts for the rules: the iOS view's records, or Android's when iOS cannot open it."""
    return ArchiveEntries(views)


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """Read an OTA zip into a Bundle of kind OTA_ZIP: both device views, bodies left in the archive."""
    size = path.stat().st_size
    where = str(path)
    views = read_views(path, size, limits)
    ios, android = views.ios, views.android
    if ios.declared_count > limits.max_resources:
        raise LimitExceeded(f"archive declares {ios.declared_count} entries; the limit is {limits.max_resources} (max_resources)", where=where)
    if android.incomplete and android.failure and "max_resources" in android.failure:
        raise LimitExceeded(f"archive holds {android.failure}", where=where)
    if ios.failure is not None and views.python.failure is not None and (android.failure is not None or not android.entries):
        reason = ios.failure if not android.entries else f"{ios.failure}; the local headers fail too ({android.failure})"
        raise Malformed(f"not a readable zip archive: {reason}", where=where)
    ios_names = [e.name for e in ios.entries]
    android_names = [android_name(e) for e in android.entries]
    ios_tops = top_level(ios_names)
    android_tops = ios_tops if android_names == ios_names else top_level(android_names)  # one walk when both list the same names
    ios_root = flatten_root(ios_names, android=False, tops=ios_tops) if ios.failure is None else None
    android_root = flatten_root(android_names, android=True, tops=android_tops)
    del ios_names, android_names
    root = ios_root if ios_root == android_root else None
    resources: dict[str, Resource] = {}
    archive_file = ArchiveFile(path)
    seen: set[tuple[str, int, int, int]] = set()
    total = 0

    def add(name: str, method: int, data_offset: int, data_length: int, body_size: int, compressed: int, header: int, suffix: str, head: bytes | None = None) -> None:
        nonlocal total
        rpath = served_path(name, root)
        identity = (rpath, method, data_offset, data_length)
        if identity in seen:
            return
        seen.add(identity)
        total += body_size
        # `is_bomb_like` decides; a size under the ratio floor and both caps cannot be a bomb, so it is not asked
        bomb = (body_size >= limits.min_zip_ratio_bytes or body_size > limits.max_zip_member_bytes or total > limits.max_zip_total_bytes) and is_bomb_like(body_size, compressed, limits, total)
        key = rpath
        if key in resources and suffix == "android":
            key = f"{rpath}#android-{len(resources) + 1}"  # a body only Android's stream installs here
        elif key in resources:
            previous = resources.pop(key)
            renamed = f"{key}#copy-{len(resources) + 1}"
            resources[renamed] = replace(previous, path=renamed)  # the later copy is the one installed
        headers = shared_headers(guess_content_type(name)) if body_size else NO_HEADERS
        body = MemberBody(body_size, archive_file, method, None if bomb else data_offset, data_length, bomb, head)
        # one shared header-names tuple, not one per member
        resources[key] = new_resource(key, headers, body, name, (header, data_offset + data_length - header), CONTENT_TYPE_ONLY if headers else ())

    streamed = android.entries
    for index, entry in enumerate(ios.entries):
        if entry.kind == "file" and not entry.name.endswith("/"):
            twin = streamed[index] if index < len(streamed) else None  # Android's entry at the same header, reading the same bytes?
            same = twin is not None and twin.offset == entry.local_offset and (twin.method, twin.data_offset, twin.data_length) == (entry.method, entry.data_offset, entry.data_length)
            add(entry.name, entry.method, entry.data_offset, entry.data_length, entry.size, entry.compressed_size, entry.local_offset, "copy", twin.head if same else None)
    if android.failure is None or ios.failure is not None:
        twins = ios.entries if ios.failure is None else ()
        for index, entry in enumerate(android.entries):
            name = android_name(entry)
            if android_kind(entry) != "file" or entry.withheld:
                continue
            twin = twins[index] if index < len(twins) else None
            if (
                twin is not None and twin.local_offset == entry.offset and twin.kind == "file" and twin.name == name
                and (twin.method, twin.data_offset, twin.data_length) == (entry.method, entry.data_offset, entry.data_length)
            ):
                continue  # the same body at the same place: added from the iOS record (whose identity `seen` holds)
            add(name, entry.method, entry.data_offset, entry.data_length, android_size(entry), entry.data_length, entry.offset, "android", entry.head)
    entries = archive_entries(views)
    declared_total = sum(e.size for e in ios.entries) if ios.failure is None else sum(map(android_size, android.entries))
    archive_facts = Archive(entries, declared_total, ios.directory_offset or 0, views=views, flattened_root=root)
    return Bundle(
        kind=InputKind.OTA_ZIP,
        source=path,
        resources=resources,
        size=size,
        archive=archive_facts,
    )
