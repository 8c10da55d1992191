"""A Capacitor OTA update bundle (a zip of the built web folder), read without extracting.

Only the central directory is parsed up front (stdlib `zipfile`, after our own
check of the declared entry count so a hostile directory cannot exhaust memory).
Every local file header is compared with its central record; disagreements
become `Problem`s, never exceptions. Member bodies are decompressed lazily, on
demand, and never past the smaller of the caller's limit and the declared size,
so a member that inflates to more than it declares is cut off; a member whose
declared sizes already look like a bomb is never inflated at all. Nothing is
ever written to disk.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from auditor.engine.errors import LimitExceeded, Malformed
from auditor.engine.limits import Limits
from auditor.engine.model import Archive, ArchiveEntry, Body, Bundle, InputKind, Problem, Resource
from auditor.engine.settings import Settings
from auditor.readers.folder import guess_content_type

EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_MAGIC = b"PK\x03\x04"
EOCD_SEARCH = 22 + 0xFFFF
CHUNK = 64 * 1024
STORED, DEFLATED = 0, 8
ZIP_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, EOFError,
    OverflowError, NotImplementedError, KeyError, IndexError,
)  # UnicodeDecodeError is a ValueError


def declared_entry_count(handle: BinaryIO, size: int) -> int:
    """Entry count from the end-of-central-directory record (zip64 aware), before any parsing."""
    tail_len = min(size, EOCD_SEARCH)
    handle.seek(size - tail_len)
    tail = handle.read(tail_len)
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < 22:
        raise Malformed("no end-of-central-directory record: not a complete zip archive", where=None)
    count = struct.unpack_from("<H", tail, at + 10)[0]
    if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != ZIP64_LOCATOR:
        return count
    zip64_offset = struct.unpack_from("<Q", tail, at - 20 + 8)[0]
    if zip64_offset + 56 > size:
        raise Malformed("zip64 end-of-central-directory locator points past the end of the file", offset=size - tail_len + at - 20)
    handle.seek(zip64_offset)
    record = handle.read(56)
    if record[:4] != ZIP64_EOCD:
        raise Malformed("zip64 end-of-central-directory record not found where its locator points", offset=zip64_offset)
    return struct.unpack_from("<Q", record, 32)[0]


def entry_of(info: zipfile.ZipInfo) -> ArchiveEntry:
    """The central record's facts, name as stored (zipfile's `filename` is sanitised)."""
    return ArchiveEntry(
        name=info.orig_filename,
        size=info.file_size,
        compressed_size=info.compress_size,
        method=info.compress_type,
        flags=info.flag_bits,
        external_attr=info.external_attr,
        create_system=info.create_system,
        header_offset=info.header_offset,
        crc=info.CRC,
    )


def raw_name(entry: ArchiveEntry) -> bytes:
    """The name bytes as the central directory stored them."""
    if entry.flags & 0x800:
        return entry.name.encode("utf-8", "surrogateescape")
    try:
        return entry.name.encode("cp437")
    except UnicodeEncodeError:
        return entry.name.encode("utf-8", "surrogateescape")


def check_local_header(handle: BinaryIO, entry: ArchiveEntry, file_size: int) -> tuple[int | None, str | None]:
    """Where the member's data starts, or why the local header disagrees with the central record."""
    if entry.header_offset < 0 or entry.header_offset + LOCAL_HEADER.size > file_size:
        return None, f"local header of `{entry.name}` lies outside the file (offset {entry.header_offset})"
    handle.seek(entry.header_offset)
    fields = LOCAL_HEADER.unpack(handle.read(LOCAL_HEADER.size))
    magic, _, flags, method, _, _, crc, csize, usize, name_len, extra_len = fields
    if magic != LOCAL_MAGIC:
        return None, f"no local file header for `{entry.name}` at offset {entry.header_offset}"
    name = handle.read(name_len)
    if name != raw_name(entry):
        return None, f"local header names `{name.decode('utf-8', 'replace')}` but the central directory says `{entry.name}`"
    if method != entry.method:
        return None, f"`{entry.name}`: local header says compression method {method}, the central directory {entry.method}"
    if not flags & 0x8 and 0xFFFFFFFF not in (csize, usize) and (csize, usize, crc) != (entry.compressed_size, entry.size, entry.crc):
        return None, (
            f"`{entry.name}`: local header declares {usize} bytes ({csize} compressed), "
            f"the central directory {entry.size} ({entry.compressed_size} compressed)"
        )
    data_offset = entry.header_offset + LOCAL_HEADER.size + name_len + extra_len
    if data_offset + entry.compressed_size > file_size:
        return data_offset, f"`{entry.name}`: {entry.compressed_size} compressed bytes declared, the file ends first"
    return data_offset, None


def member_opener(path: Path, entry: ArchiveEntry, data_offset: int | None) -> Callable[[int], bytes]:
    """A bounded reader of one member: never inflates past `n` (itself at most the declared size)."""

    def read(n: int) -> bytes:
        if data_offset is None or n <= 0 or entry.is_encrypted or entry.method not in (STORED, DEFLATED):
            return b""
        with open(path, "rb") as handle:
            handle.seek(data_offset)
            if entry.method == STORED:
                return handle.read(min(n, entry.compressed_size))
            return inflate(handle, entry.compressed_size, n)

    return read


def inflate(handle: BinaryIO, compressed_size: int, want: int) -> bytes:
    """Raw-deflate at most `want` bytes from at most `compressed_size` input bytes."""
    inflater = zlib.decompressobj(-15)
    out = bytearray()
    left = compressed_size
    pending = b""
    try:
        while len(out) < want:
            if not pending:
                if left <= 0 or inflater.eof:
                    break
                pending = handle.read(min(CHUNK, left))
                if not pending:
                    break
                left -= len(pending)
            out += inflater.decompress(pending, want - len(out))
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass  # corrupt data: what inflated so far is all there is
    return bytes(out)


def is_bomb_like(entry: ArchiveEntry, limits: Limits, total_so_far: int) -> bool:
    """A member whose declared sizes say "bomb": its body is never inflated (OTA008 reports it)."""
    if entry.size > limits.max_zip_member_bytes or total_so_far > limits.max_zip_total_bytes:
        return True
    return entry.size >= limits.min_zip_ratio_bytes and entry.size > limits.max_zip_ratio * max(entry.compressed_size, 1)


def resource_path(name: str) -> str:
    """The path the member is served at: `./index.html` and `index.html` are both `/index.html`."""
    name = name.lstrip("/")
    while name.startswith("./"):
        name = name[2:].lstrip("/")
    return "/" + name


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """Read an OTA zip's directory into a Bundle of kind OTA_ZIP; bodies stay in the archive."""
    size = path.stat().st_size
    where = str(path)
    with open(path, "rb") as handle:
        try:
            count = declared_entry_count(handle, size)
        except Malformed as exc:
            raise Malformed(exc.reason, offset=exc.offset, where=where) from None
        if count > limits.max_resources:
            raise LimitExceeded(f"archive declares {count} entries; the limit is {limits.max_resources} (max_resources)", where=where)
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
                directory_offset = int(getattr(archive, "start_dir", 0) or 0)
        except ZIP_ERRORS as exc:
            raise Malformed(f"not a readable zip archive: {exc}", where=where) from None
        if len(infos) > limits.max_resources:
            raise LimitExceeded(f"archive holds {len(infos)} entries; the limit is {limits.max_resources} (max_resources)", where=where)
        entries = tuple(entry_of(info) for info in infos)
        resources: dict[str, Resource] = {}
        problems: list[Problem] = []
        total = 0
        for entry in entries:
            total += entry.size
            data_offset, problem = check_local_header(handle, entry, size)
            if problem is not None:
                problems.append(Problem("zip-header-mismatch", problem, offset=entry.header_offset, resource=resource_path(entry.name)))
            if entry.is_dir:
                continue
            rpath = resource_path(entry.name)
            headers = {"content-type": guess_content_type(entry.name)} if entry.size else {}
            length = (data_offset or entry.header_offset) - entry.header_offset + entry.compressed_size
            bomb = is_bomb_like(entry, limits, total)
            resources.pop(rpath, None)  # a later duplicate wins, as when the device unzips in order
            resources[rpath] = Resource(
                path=rpath,
                headers=headers,
                body=Body(entry.size, opener=member_opener(path, entry, None if bomb else data_offset), withheld=bomb),
                source_path=entry.name,
                byte_range=(entry.header_offset, length),
                header_names_raw=tuple(headers),
            )
    archive_facts = Archive(entries, sum(e.size for e in entries), directory_offset)
    return Bundle(
        kind=InputKind.OTA_ZIP,
        source=path,
        resources=resources,
        problems=tuple(problems),
        size=size,
        archive=archive_facts,
    )
