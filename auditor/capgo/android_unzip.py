"""The Android view of an OTA zip: what `java.util.zip.ZipInputStream` streams, in order.

The Capgo updater on Android (`CapgoUpdater.unzip`) reads the downloaded zip
with `ZipInputStream`, which walks *local file headers* from offset 0 and never
reads the central directory. Modelled from OpenJDK's `ZipInputStream`
(`readLOC`, `read`, `readEnd`), which Android's libcore ships:

* a record that does not start with `PK\\3\\4` (or a header cut short) ends the
  stream quietly: that is how the central directory stops it, and how data
  prepended to the zip hides every member;
* the name is decoded as UTF-8 whether or not flag bit 11 is set; bytes that
  are not UTF-8 raise `IllegalArgumentException`, which the updater does not
  catch (only `IOException` is), so the app crashes;
* encrypted entries (flag bit 0) and stored entries with a data descriptor
  (flag bit 3) raise `ZipException`;
* a stored entry is the next `size` bytes (from the local header or its zip64
  extra); a deflated entry is however many bytes the deflate stream takes, its
  compressed size in the header is not used to find the next header;
* after a deflated entry the data descriptor (12 or 16 bytes, 20 or 24 when
  the entry passed 4 GiB) or the header's values must match the bytes read,
  and every entry's CRC-32 must match (`invalid entry CRC`); a stored entry of
  size 0 is never checked. The updater reads every entry to its end (directory
  entries are skipped by `closeEntry`, which reads them too), so each check runs.

Inflation is streamed, nothing is kept, and it never goes past the entry's
declared size or the archive limits: a member that would is reported as
withheld (its declared sizes say "bomb") or over its declared size.
"""

from __future__ import annotations

import mmap
import struct
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from auditor.engine.limits import Limits

LOCAL_MAGIC = b"PK\x03\x04"
DESCRIPTOR_MAGIC = b"PK\x07\x08"
LOCAL = struct.Struct("<4sHHHHHIIIHH")
ZIP64_MAGIC = 0xFFFFFFFF
STORED, DEFLATED = 0, 8
CHUNK = 256 * 1024


class StreamEntry(NamedTuple):
    """One entry as `ZipInputStream.getNextEntry()` returns it, and what reading it gave (a named
    tuple: immutable, and five times cheaper to build than a frozen dataclass)."""

    offset: int               # where its local header starts
    raw_name: bytes | None    # the stored bytes, kept only when they are not UTF-8
    name: str | None          # None: not UTF-8 (IllegalArgumentException)
    flags: int
    method: int
    crc: int                  # the value the CRC is checked against (header or descriptor)
    size: int                 # declared uncompressed size (header, zip64 extra or descriptor)
    compressed_size: int      # declared compressed size
    data_offset: int
    data_length: int          # compressed bytes the stream consumed
    actual_size: int | None   # bytes it inflates to (None: not inflated, see `withheld`)
    actual_crc: int | None
    end: int                  # where the next local header is looked for
    withheld: bool = False    # declared sizes over the limits: never inflated
    head: bytes | None = None  # the first HEAD bytes it inflates to (all when fewer): short reads need not inflate again


@dataclass(frozen=True, slots=True)
class StreamView:
    """Every entry the stream yields, then why it stopped."""

    entries: tuple[StreamEntry, ...]
    stop_offset: int            # where the walk ended
    failure: str | None = None  # the exception that aborts the unzip, or None for a clean end
    crash: bool = False         # the failure escapes the updater (IllegalArgumentException)
    failed_entry: int | None = None  # local header offset of the entry that failed
    incomplete: bool = False    # the walk stopped at a limit, not where the device would
    kind: str | None = None     # why, as a code: eof, name, encrypted, stored-descriptor, method, crc, size, inflate, bomb, limit


def decode_name(raw: bytes) -> str | None:
    """UTF-8, strictly, as `ZipCoder.UTF8.toString` (flag bit 11 or not: the stream's charset is UTF-8)."""
    try:
        return sys.intern(raw.decode("utf-8"))  # interned: the iOS and Python views hold the same string
    except UnicodeDecodeError:
        return None


def zip64_sizes(extra: bytes) -> tuple[int, int] | None:
    """(size, compressed size) from a local header's zip64 extra (`setExtra0`: both, at least 16 bytes)."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        pos += 4
        if pos + length > len(extra):
            return None
        if tag == 0x0001 and length >= 16:
            return struct.unpack_from("<QQ", extra, pos)
        pos += length
    return None


def over_limits(size: int, compressed: int, total: int, limits: Limits) -> bool:
    """Declared sizes of a bomb: the member is never inflated."""
    return limits.zip_member_bomb(size, compressed) is not None or limits.zip_total_bomb(total + size)


def inflate_measure(data, start: int, cap: int, limits: Limits, hint: int = 0) -> tuple[int, int, int, str | None, bytes]:
    """Inflate from `start` until the deflate stream ends: (consumed, produced, crc, error, head).

    Output is counted and CRC'd, never kept (but its first `HEAD` bytes). Stops with an
    error past `cap` bytes or past the ratio limit, before inflating any further. `hint`
    (the declared compressed size) only sizes the first read: most members end there.
    """
    inflater = zlib.decompressobj(-15)
    pos, produced, crc = start, 0, 0
    end = len(data)
    pending = b""
    head = b""
    step = min(CHUNK, hint + 64) if hint > 0 else 4096
    while not inflater.eof:
        if not pending:
            if pos >= end:
                return pos - start, produced, crc, "Unexpected end of ZLIB input stream", head
            pending = data[pos : min(end, pos + step)]
            pos += len(pending)
            step = CHUNK
        try:
            out = inflater.decompress(pending, CHUNK)
        except zlib.error as exc:
            return pos - start, produced, crc, f"invalid deflate data ({exc})", head
        pending = inflater.unconsumed_tail
        if len(head) < HEAD:
            head += out[: HEAD - len(head)]
        produced += len(out)
        crc = zlib.crc32(out, crc)
        consumed = pos - start - (len(inflater.unused_data) if inflater.eof else len(pending))  # after the end both hold the rest
        if produced > cap:
            return consumed, produced, crc, "over-size", head
        if produced >= limits.min_zip_ratio_bytes and produced > limits.max_zip_ratio * max(consumed, 1):
            return consumed, produced, crc, "over-ratio", head
    return pos - start - len(inflater.unused_data), produced, crc, None, head


def read_descriptor(data, pos: int, large: bool) -> tuple[int, int, int, int] | None:
    """(crc, compressed, size, length) of the data descriptor at `pos` (`readEnd`).

    Java reads the full 16 (or 24) bytes first, then, without the optional
    signature, takes the first four as the CRC and pushes the last four back.
    """
    width = 8 if large else 4
    full = 4 + 4 + 2 * width
    if pos + full > len(data):
        return None
    has_magic = bytes(data[pos : pos + 4]) == DESCRIPTOR_MAGIC
    crc, compressed, size = struct.unpack_from("<IQQ" if large else "<III", data, pos + 4 if has_magic else pos)
    return crc, compressed, size, full if has_magic else full - 4


class DeclaredSizes(Mapping[int, tuple[int, int]]):
    """The directory's (size, compressed size) by header offset, read from its entries when asked
    (not a tuple per entry built in advance)."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Mapping[int, Any]) -> None:
        self._entries = entries

    def __getitem__(self, offset: int) -> tuple[int, int]:
        entry = self._entries[offset]
        return entry.size, entry.compressed_size

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, offset: object) -> bool:
        return offset in self._entries


HEAD = 16  # bytes of each inflated body kept (`StreamEntry.head`): what sniffing a file type reads

RELEASE_EVERY = 32 * 1024 * 1024
PAGE = mmap.PAGESIZE


def release(data, start: int, end: int) -> None:
    """Drop the pages of a memory map already walked from our resident set (they stay in the page cache)."""
    madvise = getattr(data, "madvise", None)
    start = max(0, start - start % PAGE)
    end = min(end, len(data))
    if madvise is not None and end > start:
        madvise(mmap.MADV_DONTNEED, start, end - start)


def crc_of(data, start: int, length: int) -> int:
    """CRC-32 of a byte range, read in chunks (no copy of the whole member)."""
    crc = 0
    for at in range(start, start + length, CHUNK):
        crc = zlib.crc32(data[at : min(at + CHUNK, start + length)], crc)
    return crc


def shared_ints(twin: Any, data_at: int, crc: int, size: int, csize: int) -> tuple[int, int, int, int]:
    """The values again, each replaced by its iOS twin's int object when equal (see `walk`): one object, not two."""
    return (
        twin.data_offset if twin.data_offset == data_at else data_at,
        twin.crc if twin.crc == crc else crc,
        twin.size if twin.size == size else size,
        twin.compressed_size if twin.compressed_size == csize else csize,
    )


def walk(data, limits: Limits, *, declared: Mapping[int, tuple[int, int]] | None = None, directory: Mapping[int, Any] | None = None) -> StreamView:
    """The stream view of `data` (bytes or a memory map).

    `declared` maps local header offsets to the central directory's (size,
    compressed size), used only to refuse inflating a data-descriptor entry
    (whose own sizes come after the data) that the directory calls a bomb.
    `directory` maps them to the iOS view's entries instead: their sizes are
    the declared ones, and an entry that agrees with its twin holds the twin's
    int objects (CRC, sizes, data offset), not equal copies: 16 MB less at
    100 000 members. Neither changes a value.
    """
    entries: list[StreamEntry] = []
    append = entries.append
    pos, total, end = 0, 0, len(data)
    released = 0
    twins = directory or {}
    if declared is None:
        declared = DeclaredSizes(twins)
    unpack, header_size, max_entries, intern = LOCAL.unpack_from, LOCAL.size, limits.max_resources, sys.intern
    max_member, min_ratio, max_ratio, max_total = limits.max_zip_member_bytes, limits.min_zip_ratio_bytes, limits.max_zip_ratio, limits.max_zip_total_bytes
    decompressobj, crc32 = zlib.decompressobj, zlib.crc32

    def stop(reason: str | None, *, kind: str | None = None, crash: bool = False, at: int | None = None, incomplete: bool = False) -> StreamView:
        return StreamView(tuple(entries), pos, reason, crash, at, incomplete, kind)

    while True:
        if pos - released > RELEASE_EVERY:
            release(data, released, pos - PAGE)
            released = pos - PAGE - (pos - PAGE) % PAGE
        if pos + header_size > end:
            return stop(None)
        magic, _, flags, method, _, _, crc, csize, size, name_len, extra_len = unpack(data, pos)
        if magic != LOCAL_MAGIC:
            return stop(None)
        if len(entries) >= max_entries:
            return stop(f"more than {limits.max_resources} entries (max_resources)", kind="limit", incomplete=True)
        name_at = pos + header_size
        if name_at + name_len > end:
            return stop("EOFException reading the entry name", kind="eof", at=pos)
        raw: bytes | None = None  # kept only for a name that is not UTF-8: never, since that stops the walk
        try:
            name = intern(data[name_at : name_at + name_len].decode("utf-8"))  # as `decode_name`, inline
        except UnicodeDecodeError:
            return stop("IllegalArgumentException: the entry name is not valid UTF-8", kind="name", crash=True, at=pos)
        if flags & 0x1:
            return stop("ZipException: encrypted ZIP entry not supported", kind="encrypted", at=pos)
        descriptor = bool(flags & 0x8)
        if descriptor and method != DEFLATED:
            return stop("ZipException: only DEFLATED entries can have EXT descriptor", kind="stored-descriptor", at=pos)
        if name_at + name_len + extra_len > end:
            return stop("EOFException reading the extra field", kind="eof", at=pos)
        if not descriptor and ZIP64_MAGIC in (csize, size):
            big = zip64_sizes(bytes(data[name_at + name_len : name_at + name_len + extra_len]))
            if big is not None:
                size, csize = big
        data_at = name_at + name_len + extra_len
        bound_size, bound_csize = (size, csize) if not descriptor else declared.get(pos, (limits.max_zip_member_bytes, 0))
        if method not in (STORED, DEFLATED):
            return stop(f"ZipException: invalid compression method {method}", kind="method", at=pos)
        if descriptor and pos in declared and over_limits(bound_size, bound_csize, total, limits):
            entries.append(StreamEntry(pos, raw, name, flags, method, crc, bound_size, bound_csize, data_at, 0, None, None, data_at, withheld=True))
            return stop("the central directory declares bomb sizes for this data-descriptor entry; not inflated, the walk stops here", kind="bomb", at=pos, incomplete=True)
        # `over_limits` decides; a size under the ratio floor and both caps cannot be a bomb, so it is not asked
        if not descriptor and (size > max_member or size >= min_ratio or total + size > max_total) and over_limits(bound_size, bound_csize, total, limits):
            entries.append(StreamEntry(pos, raw, name, flags, method, crc, size, csize, data_at, csize, None, None, data_at + csize, withheld=True))
            total += size
            pos = data_at + csize
            continue
        if method == STORED:
            if data_at + size > end:
                return stop("ZipException: unexpected EOF", kind="eof", at=pos)
            actual_crc = crc_of(data, data_at, size) if size else crc
            twin = twins.get(pos)
            if twin is not None:
                data_at, crc, size, csize = shared_ints(twin, data_at, crc, size, csize)
            entry = StreamEntry(pos, raw, name, flags, method, crc, size, csize, data_at, size, size, crc if actual_crc == crc else actual_crc, data_at + size)
            entries.append(entry)
            total += size
            pos = entry.end
            if size and actual_crc != crc:
                return stop(f"ZipException: invalid entry CRC (expected 0x{crc:x} but got 0x{actual_crc:x})", kind="crc", at=entry.offset)
            continue
        cap = min(bound_size, max_member) if not descriptor else max_member
        error = None
        if not descriptor and data_at < end:
            # `inflate_measure`'s first step, inline: most members end in it; any other outcome is
            # measured again from the start by `inflate_measure` itself, so the result is its result
            piece = data[data_at : min(end, data_at + (min(CHUNK, csize + 64) if csize > 0 else 4096))]
            inflater = decompressobj(-15)
            try:
                out = inflater.decompress(piece, CHUNK)
            except zlib.error:
                out = None
            if out is not None and inflater.eof:
                produced, consumed = len(out), len(piece) - len(inflater.unused_data)
                if produced > cap or (produced >= min_ratio and produced > max_ratio * max(consumed, 1)):
                    out = None
                else:
                    actual_crc = crc32(out)
            else:
                out = None
        else:
            out = None
        if out is None:
            consumed, produced, actual_crc, error, head = inflate_measure(data, data_at, cap, limits, 0 if descriptor else csize)
        else:
            head = out[:HEAD]
        if error in ("over-size", "over-ratio"):
            if not descriptor and error == "over-size":
                entries.append(StreamEntry(pos, raw, name, flags, method, crc, size, csize, data_at, consumed, None, None, data_at + consumed))
                return stop(f"ZipException: invalid entry size (expected {size} but got more bytes)", kind="size", at=pos)
            entries.append(StreamEntry(pos, raw, name, flags, method, crc, size, csize, data_at, consumed, None, None, data_at + consumed, withheld=True))
            why = "its declared size" if error == "over-size" else "the ratio limit"
            return stop(f"the entry inflates past {why}; not inflated further", kind="bomb", at=pos, incomplete=True)
        if error is not None:
            return stop(f"ZipException: {error}", kind="inflate", at=pos)
        after = data_at + consumed
        if descriptor:
            large = produced > ZIP64_MAGIC or consumed > ZIP64_MAGIC
            found = read_descriptor(data, after, large)
            if found is None:
                return stop("EOFException reading the data descriptor", kind="eof", at=pos)
            crc, csize, size, length = found
            after += length
        twin = twins.get(pos)
        if twin is not None:
            data_at, crc, size, csize = shared_ints(twin, data_at, crc, size, csize)
        entry = StreamEntry(
            pos, raw, name, flags, method, crc, size, csize, data_at,
            csize if consumed == csize else consumed, size if produced == size else produced, crc if actual_crc == crc else actual_crc, after,
            False, head,
        )
        append(entry)
        total += produced
        pos = after
        if size != produced:
            return stop(f"ZipException: invalid entry size (expected {size} but got {produced} bytes)", kind="size", at=entry.offset)
        if csize != consumed:
            return stop(f"ZipException: invalid entry compressed size (expected {csize} but got {consumed} bytes)", kind="size", at=entry.offset)
        if crc != actual_crc:
            return stop(f"ZipException: invalid entry CRC (expected 0x{crc:x} but got 0x{actual_crc:x})", kind="crc", at=entry.offset)
