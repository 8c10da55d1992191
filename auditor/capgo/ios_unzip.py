"""The iOS view of an OTA zip: what ZIPFoundation's `Archive` iterates, from the central directory.

The Capgo updater on iOS (`CapgoUpdater.saveDownloaded`) opens the zip with
ZIPFoundation and extracts `for entry in archive` with `skipCRC32: true`.
Modelled from ZIPFoundation (`Archive.scanForEndOfCentralDirectoryRecord`,
`Archive.makeIterator`, `Entry`, `Archive.extract`):

* the end-of-central-directory record is the **last** `PK\\5\\6` signature in
  the file (searched from the end, the whole file); a zip64 record is taken
  only at the fixed place before its locator; offsets are used as written,
  with no correction for data prepended to the zip (Python's `zipfile` corrects);
* iteration reads each central record, then the local header it points at;
  it **stops silently** at the first record or header that is not readable and
  at the first encrypted entry (`Entry.init` returns nil): the unzip then
  "succeeds" with the entries before it;
* the name is the central record's, UTF-8 with flag bit 11, else code page 437;
* data starts after the *local* header's name and extra lengths; the method is
  the *local* header's; a stored entry is the central record's uncompressed
  size in bytes, a deflated one inflates the central record's compressed size;
  no CRC is checked;
* an entry is a symlink when "version made by" says Unix (3) or OS X (19) and
  the external attributes carry `S_IFLNK`; its target is the raw local-size bytes.
"""

from __future__ import annotations

import struct
import sys
from dataclasses import dataclass
from typing import NamedTuple

from auditor.engine.limits import Limits

EOCD_MAGIC = b"PK\x05\x06"
CENTRAL_MAGIC = b"PK\x01\x02"
LOCAL_MAGIC = b"PK\x03\x04"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_RECORD = b"PK\x06\x06"
EOCD = struct.Struct("<4sHHHHIIH")
CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
LOCAL = struct.Struct("<4sHHHHHIIIHH")
ZIP64_RECORD_SIZE, ZIP64_LOCATOR_SIZE = 56, 20
S_IFMT, S_IFLNK, S_IFDIR, S_IFREG = 0o170000, 0o120000, 0o040000, 0o100000
UNIX, OSX, MSDOS = 3, 19, 0


class DirectoryEntry(NamedTuple):
    """One entry as ZIPFoundation's iterator yields it.

    A named tuple, not a frozen dataclass: as immutable, and built in a fifth of
    the time (100 000 of them per large bundle).
    """

    record_offset: int
    name_length: int          # bytes of the stored name
    name: str                 # "" when flag bit 11 is set and the bytes are not UTF-8
    made_by: int              # upper byte of "version made by"
    external_attr: int
    flags: int                # central record's general purpose flags
    method: int               # the local header's method: the one used to extract
    central_method: int
    crc: int
    size: int                 # central (zip64-aware) uncompressed size
    compressed_size: int
    local_offset: int
    data_offset: int          # after the local header's name and extra
    local_compressed_size: int
    kind: str                 # `file`, `directory` or `symlink`, as `Entry.type`
    data_length: int          # bytes read from the archive to extract it (`read_length`)
    link_target: bytes | None = None  # for symlinks: the raw bytes ZIPFoundation reads (at most 4 KiB)


def read_length(kind: str, method: int, size: int, compressed_size: int, local_compressed_size: int) -> int:
    """Bytes ZIPFoundation reads to extract an entry: a symlink's local compressed size, a stored
    file's size, a deflated one's compressed size (the same int object as that field)."""
    if kind == "symlink":
        return local_compressed_size
    return size if method == 0 else compressed_size


@dataclass(frozen=True, slots=True)
class DirectoryView:
    """The entries the iterator yields, or why the archive does not open."""

    entries: tuple[DirectoryEntry, ...]
    failure: str | None = None     # `Archive(url:)` throws: the unzip fails
    stopped: str | None = None     # why iteration ended before the declared count
    eocd_offset: int | None = None
    directory_offset: int | None = None
    declared_count: int = 0
    incomplete: bool = False       # stopped at one of our limits
    encrypted_at: int | None = None  # the central record of the encrypted entry iteration stopped at
    directory_end: int | None = None  # where the records read end
    plain_records: bool = True     # none read has an extra field, a "version needed" above 6.3 or a UTF-8-flagged name
                                   # that is not UTF-8: `python_unzip` then derives zipfile's listing from these entries


def entry_kind(name: str, made_by: int, external_attr: int) -> str:
    """`Entry.type`: the Unix mode when made by Unix or OS X, else the name's trailing `/` (DOS: its attribute)."""
    is_dir = name.endswith("/")
    if made_by in (UNIX, OSX):
        mode = (external_attr >> 16) & S_IFMT
        if mode == S_IFREG:
            return "file"
        if mode == S_IFDIR:
            return "directory"
        if mode == S_IFLNK:
            return "symlink"
    elif made_by == MSDOS:
        is_dir = is_dir or (external_attr >> 4) == 0x01
    return "directory" if is_dir else "file"


def decode_name(raw: bytes, flags: int) -> str:
    """`Entry.path`: UTF-8 with flag bit 11, otherwise code page 437 (which decodes any bytes)."""
    if raw.isascii():
        return sys.intern(raw.decode("ascii"))  # the same in UTF-8 and code page 437, and much faster; interned: the other views share it
    if flags & 0x800:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return ""
    return raw.decode("cp437")


def zip64_extra(extra: bytes, size: int, csize: int, offset: int) -> tuple[int, int, int]:
    """Effective sizes and offset: zip64 values replace the 0xFFFFFFFF fields, in order."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if tag != 0x0001:
            continue
        at = 0
        values = []
        for value in (size, csize, offset):
            if value == 0xFFFFFFFF and at + 8 <= len(body):
                values.append(struct.unpack_from("<Q", body, at)[0])
                at += 8
            else:
                values.append(value)
        return values[0], values[1], values[2]
    return size, csize, offset


def find_eocd(data) -> int | None:
    """Offset of the last end-of-central-directory signature with 22 bytes after it."""
    at = data.rfind(EOCD_MAGIC, 0, max(len(data) - EOCD.size + 4, 0))
    return at if at >= 0 else None


def walk(data, limits: Limits) -> DirectoryView:
    """The directory view of `data` (bytes or a memory map)."""
    size = len(data)
    eocd_at = find_eocd(data)
    if eocd_at is None:
        return DirectoryView((), failure="no end-of-central-directory record")
    _, _, _, _, count, _, cd_offset, comment_len = EOCD.unpack_from(data, eocd_at)
    if eocd_at + EOCD.size + comment_len > size:
        return DirectoryView((), failure="the end-of-central-directory comment runs past the end of the file", eocd_offset=eocd_at)
    locator_at = eocd_at - ZIP64_LOCATOR_SIZE
    record_at = locator_at - ZIP64_RECORD_SIZE
    if record_at > 0 and bytes(data[locator_at : locator_at + 4]) == ZIP64_LOCATOR and bytes(data[record_at : record_at + 4]) == ZIP64_RECORD:
        count, cd_offset = struct.unpack_from("<Q", data, record_at + 32)[0], struct.unpack_from("<Q", data, record_at + 48)[0]
    entries: list[DirectoryEntry] = []

    def view(stopped: str | None = None, incomplete: bool = False, encrypted_at: int | None = None) -> DirectoryView:
        return DirectoryView(tuple(entries), None, stopped, eocd_at, cd_offset, count, incomplete, encrypted_at, at, plain)

    at = cd_offset
    append, unpack_central, unpack_local = entries.append, CENTRAL.unpack_from, LOCAL.unpack_from
    max_entries, record_size, local_size = limits.max_resources, CENTRAL.size, LOCAL.size
    shared: dict[int, int] = {}  # one int object per distinct external-attribute value
    plain = True
    while len(entries) < count:
        if len(entries) >= max_entries:
            return view(f"more than {limits.max_resources} entries (max_resources)", incomplete=True)
        if at + record_size > size:
            return view(f"no readable central directory record at offset {at}")
        magic, version_made_by, needed, flags, method, _, _, crc, csize, usize, name_len, extra_len, comment_len, _, _, external, local_offset = unpack_central(data, at)
        if magic != CENTRAL_MAGIC:
            return view(f"no readable central directory record at offset {at}")
        name_at = at + record_size
        end = name_at + name_len + extra_len + comment_len
        if end > size:
            return view(f"the central directory record at offset {at} runs past the end of the file")
        raw = data[name_at : name_at + name_len]
        if extra_len:
            usize, csize, local_offset = zip64_extra(data[name_at + name_len : name_at + name_len + extra_len], usize, csize, local_offset)
        if local_offset + local_size > size or (local := unpack_local(data, local_offset))[0] != LOCAL_MAGIC:
            return view(f"no readable local header at offset {local_offset} for the record at offset {at}")
        data_at = local_offset + local_size + local[9] + local[10]
        if data_at > size:
            return view(f"the local header at offset {local_offset} runs past the end of the file")
        if flags & 0x1:
            return view(f"entry at offset {at} is encrypted", encrypted_at=at)
        if raw.isascii():
            name = sys.intern(raw.decode("ascii"))
        else:
            name = decode_name(raw, flags)
            plain = plain and name != ""
        if extra_len or needed & 0xFF > 63:
            plain = False
        made_by = version_made_by >> 8
        # `entry_kind`, with the common case (a regular file made by Unix or OS X) decided inline
        kind = "file" if made_by in (UNIX, OSX) and (external >> 16) & S_IFMT == S_IFREG else entry_kind(name, made_by, external)
        local_csize = csize if local[7] == csize else local[7]
        append(DirectoryEntry(
            at, name_len, name, made_by, shared.setdefault(external, external), flags, local[3], method, crc, usize, csize,
            local_offset, data_at, local_csize, kind, read_length(kind, local[3], usize, csize, local_csize),
            bytes(data[data_at : data_at + min(local_csize, 4096)]) if kind == "symlink" else None,
        ))
        at = end
    return view()
