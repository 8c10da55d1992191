"""The Python view of an OTA zip: what `zipfile.ZipFile(f).infolist()` lists, without building it.

`zipfile` builds a `ZipInfo` (21 slots, a copy of every name, extra and
comment) per member: 247 MB at peak for 100 000 long names. This walks the same
central directory records the same way and keeps only what the views compare
(name, sizes, method, header offset), in flat arrays. Reproduced from CPython's
`zipfile` (`_EndRecData`, `_EndRecData64`, `ZipFile._RealGetContents`,
`ZipInfo._decodeExtra`), opened on a real file as the reader does:

* the end record: the last 22 bytes when they are one with an empty comment,
  else the last `PK\\5\\6` in the final 64 KiB + 22 bytes (a record cut short is
  "not a zip file"; the comment length is never checked);
* zip64: a locator just before the end record; a multi-disk locator is refused.
  Up to the CVE-2025-8291 fix the zip64 record is read at the fixed place
  before the locator and ignored when its signature is wrong (and a file too
  short for it is "not a zip file": the seek fails); with the fix it is read at
  the locator's offset, then at the fixed place, and a missing or inconsistent
  record is an error. Which one the running `zipfile` does is probed once, the
  first time a zip64 locator is met (`checked_zip64`);
* prepended data: `concat` (where the end record, or the zip64 record with the
  fix, is, minus the directory size and offset; 76 bytes less for zip64
  before the fix) is added to the directory offset (negative: "Bad offset")
  and to every header offset;
* the records: read from a buffer of exactly the directory's declared size,
  while the bytes read so far are fewer than that size (not the declared
  count); a short record is "Truncated central directory", a wrong signature
  "Bad magic number"; names, extras and comments past the buffer's end are
  silently cut short, as `BytesIO.read` does;
* names: UTF-8 (strict: bad bytes are a `UnicodeDecodeError`) with flag bit 11,
  else code page 437; kept as `filename` (cut at the first NUL), what the files are
  extracted as; "version needed"
  above 6.3 is `NotImplementedError`;
* extras: a field longer than what is left is "Corrupt extra field"; each zip64
  field replaces the sizes and offset still at 0xFFFFFFFF, in order, and is
  "Corrupt zip64 extra field" when too short; the Unicode Path field (0x7075)
  is checked as Python 3.12+ checks it and, when its CRC matches, renames the
  member, when the running `zipfile` knows it (`unicode_path_field`).

Failures read `Type: message` exactly as `str()` of the exception `zipfile`
raises. Not reproduced: `metadata_encoding` (the reader never sets it), the
warning 3.12+ prints for an empty Unicode Path field, and what `zipfile` would
raise after the first `max_entries + 1` records (the walk stops there; the
archive is over the limit anyway).
"""

from __future__ import annotations

import functools
import struct
import sys
import zlib
from array import array
from dataclasses import dataclass, field

EOCD_MAGIC = b"PK\x05\x06"
CENTRAL_MAGIC = b"PK\x01\x02"
LOCATOR_MAGIC = b"PK\x06\x07"
RECORD64_MAGIC = b"PK\x06\x06"
EOCD = struct.Struct("<4s4H2LH")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
LOCATOR = struct.Struct("<4sLQL")
RECORD64 = struct.Struct("<4sQ2H2L4Q")
EOCD_SIZE, LOCATOR_SIZE, RECORD64_SIZE = EOCD.size, LOCATOR.size, RECORD64.size
MAX_COMMENT = (1 << 16) - 1
MAX_EXTRACT_VERSION = 63
NOT_A_ZIP = "BadZipFile: File is not a zip file"


@dataclass(frozen=True, slots=True)
class PythonEntry:
    name: str             # `filename`: cut at a NUL, renamed by a Unicode Path field
    size: int
    compressed_size: int
    method: int
    header_offset: int    # after zipfile's correction for prepended data


@dataclass(frozen=True, slots=True)
class PythonView:
    """What `infolist()` lists, one array per field (entry i is index i of each), or why it fails."""

    names: tuple[str, ...] = ()
    sizes: array = field(default_factory=lambda: array("Q"))
    compressed_sizes: array = field(default_factory=lambda: array("Q"))
    methods: array = field(default_factory=lambda: array("H"))
    stored_offsets: array = field(default_factory=lambda: array("Q"))  # header offsets as stored (zip64-aware), before the correction
    concat: int = 0                     # zipfile's correction for prepended data, added to each
    failure: str | None = None

    def header_offset(self, index: int) -> int:
        return self.stored_offsets[index] + self.concat

    @property
    def entries(self) -> tuple[PythonEntry, ...]:
        """The entries as records (built on each call: the arrays are the view)."""
        offsets = (offset + self.concat for offset in self.stored_offsets)
        return tuple(map(PythonEntry, self.names, self.sizes, self.compressed_sizes, self.methods, offsets))

    def __len__(self) -> int:
        return len(self.names)


def failed(message: str) -> PythonView:
    return PythonView(failure=message)


@functools.cache
def checked_zip64() -> bool:
    """Whether the running `zipfile` has the CVE-2025-8291 fix (it checks the zip64 record).

    Probed on an empty zip64 archive whose record declares a wrong size: accepted
    before the fix, "Corrupt zip64 end of central directory record" after it.
    """
    import io
    import zipfile

    record = RECORD64.pack(RECORD64_MAGIC, 0, 45, 45, 0, 0, 0, 0, 0, 0)
    probe = record + LOCATOR.pack(LOCATOR_MAGIC, 0, 0, 1) + EOCD.pack(EOCD_MAGIC, 0, 0, 0, 0, 0, 0, 0)
    try:
        zipfile.ZipFile(io.BytesIO(probe)).close()
    except zipfile.BadZipFile:
        return True
    return False


@functools.cache
def unicode_path_field() -> bool:
    """Whether the running `zipfile` reads the Unicode Path extra field (0x7075, Python 3.12+).

    Probed on a one-entry zip whose 0x7075 field is too short: ignored by 3.11,
    "Corrupt unicode path extra field" since.
    """
    import io
    import zipfile

    central = CENTRAL.pack(CENTRAL_MAGIC, 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0) + b"a" + struct.pack("<HH", 0x7075, 0)
    probe = central + EOCD.pack(EOCD_MAGIC, 0, 0, 1, 1, len(central), 0, 0)
    try:
        zipfile.ZipFile(io.BytesIO(probe)).close()
    except zipfile.BadZipFile:
        return True
    return False


def end_record(data, size: int) -> tuple[int, tuple] | None:
    """`_EndRecData` without the zip64 part: (offset, fields) of the end record, or None."""
    if size < EOCD_SIZE:
        return None
    at = size - EOCD_SIZE
    if data[at : at + 4] == EOCD_MAGIC and data[size - 2 : size] == b"\0\0":
        return at, EOCD.unpack_from(data, at)
    start = max(size - MAX_COMMENT - EOCD_SIZE, 0)
    at = data.rfind(EOCD_MAGIC, start)
    if at < 0 or at + EOCD_SIZE > size:
        return None
    return at, EOCD.unpack_from(data, at)


def directory_place(data, size: int) -> tuple[int, int, int] | str:
    """(start of the directory, its declared size, `concat`), or the failure."""
    found = end_record(data, size)
    if found is None:
        return NOT_A_ZIP
    eocd, fields = found
    size_cd, offset_cd = fields[5], fields[6]
    location = eocd
    locator = eocd - LOCATOR_SIZE
    if locator >= 0 and data[locator : locator + 4] == LOCATOR_MAGIC:
        _, disk, reloff, disks = LOCATOR.unpack_from(data, locator)
        if disk != 0 or disks > 1:
            return "BadZipFile: zipfiles that span multiple disks are not supported"
        record = locator - RECORD64_SIZE
        if checked_zip64():
            if reloff > record:
                return "BadZipFile: Corrupt zip64 end of central directory locator"
            at, extra = reloff, record - reloff
            if data[at : at + 4] != RECORD64_MAGIC and reloff != record:
                at, extra = record, 0
            if data[at : at + 4] != RECORD64_MAGIC:
                return "BadZipFile: Zip64 end of central directory record not found"
            fields64 = RECORD64.unpack_from(data, at)
            if fields64[9] + fields64[8] != reloff or fields64[1] + 12 != RECORD64_SIZE + extra:
                return "BadZipFile: Corrupt zip64 end of central directory record"
            size_cd, offset_cd, location = fields64[8], fields64[9], record - extra
        elif record < 0:
            return NOT_A_ZIP  # the seek before the file's start fails (OSError), reported as not a zip
        elif data[record : record + 4] == RECORD64_MAGIC:
            fields64 = RECORD64.unpack_from(data, record)
            size_cd, offset_cd, location = fields64[8], fields64[9], record
    concat = location - size_cd - offset_cd
    if offset_cd + concat < 0:
        return "BadZipFile: Bad offset for central directory"
    return offset_cd + concat, size_cd, concat


def decode_extra(extra: bytes, raw_name: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int, str | None] | str:
    """`_decodeExtra`: the sizes and offset after every zip64 field and the Unicode Path
    field's name (3.12+, when its CRC matches; else None), or the failure."""
    renamed = None
    while len(extra) >= 4:
        tag, length = struct.unpack_from("<HH", extra)
        if length + 4 > len(extra):
            return f"BadZipFile: Corrupt extra field {tag:04x} (size={length})"
        body = extra[4 : length + 4]
        if tag == 0x0001:
            if size in (0xFFFF_FFFF_FFFF_FFFF, 0xFFFFFFFF):
                if len(body) < 8:
                    return "BadZipFile: Corrupt zip64 extra field. File size not found."
                size, body = struct.unpack_from("<Q", body)[0], body[8:]
            if compressed == 0xFFFFFFFF:
                if len(body) < 8:
                    return "BadZipFile: Corrupt zip64 extra field. Compress size not found."
                compressed, body = struct.unpack_from("<Q", body)[0], body[8:]
            if offset == 0xFFFFFFFF:
                if len(body) < 8:
                    return "BadZipFile: Corrupt zip64 extra field. Header offset not found."
                offset = struct.unpack_from("<Q", body)[0]
        elif tag == 0x7075 and unicode_path_field():
            if len(body) < 5:
                return "BadZipFile: Corrupt unicode path extra field (0x7075)"
            version, crc = struct.unpack_from("<BL", body)
            if version == 1 and crc == zlib.crc32(raw_name):
                try:
                    renamed = body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return "BadZipFile: Corrupt unicode path extra field (0x7075): invalid utf-8 bytes"
        extra = extra[length + 4 :]
    return size, compressed, offset, renamed


def extracted_name(name: str) -> str:
    """`ZipInfo.filename`: the name cut at its first NUL (os.sep is already `/` here)."""
    cut = name.find("\0")
    return name if cut < 0 else name[:cut]


def from_directory(data, max_entries: int, ios) -> PythonView | None:
    """zipfile's listing taken from the iOS walk's entries when it must be the same, else None.

    The same when zipfile finds its directory where iOS read it (no correction for
    prepended data), iOS read every declared record and they fill exactly the
    directory's declared size (so zipfile's size-bounded loop reads these records and
    no other), and every record is plain (`DirectoryView.plain_records`: no extra
    field to decode, no version zipfile refuses, a name both decode alike). Then
    each field zipfile keeps is the record's own, as iOS read it.
    """
    if ios.failure is not None or ios.stopped is not None or ios.incomplete or not ios.plain_records or len(ios.entries) > max_entries:
        return None
    place = directory_place(data, len(data))
    if isinstance(place, str):
        return failed(place)
    start, size_cd, concat = place
    if concat != 0 or start != ios.directory_offset or ios.directory_end != start + size_cd:
        return None
    entries = ios.entries
    if any("\0" in e.name for e in entries):
        return None  # zipfile cuts such a name (`walk` does)
    return PythonView(
        tuple(e.name for e in entries),
        array("Q", [e.size for e in entries]),
        array("Q", [e.compressed_size for e in entries]),
        array("H", [e.central_method for e in entries]),
        array("Q", [e.local_offset for e in entries]),
        0,
    )


def walk(data, max_entries: int) -> PythonView:
    """The Python view of `data` (bytes or a memory map)."""
    size = len(data)
    place = directory_place(data, size)
    if isinstance(place, str):
        return failed(place)
    start, size_cd, concat = place
    end = min(size, start + size_cd)  # the buffer `zipfile` reads: never past the file
    names: list[str] = []
    sizes, compressed_sizes, methods, offsets = array("Q"), array("Q"), array("H"), array("Q")
    intern, unpack, record_size = sys.intern, CENTRAL.unpack_from, CENTRAL.size
    pos, total = start, 0
    while total < size_cd:
        if pos + record_size > end:
            return failed("BadZipFile: Truncated central directory")
        fields = unpack(data, pos)
        if fields[0] != CENTRAL_MAGIC:
            return failed("BadZipFile: Bad magic number for central directory")
        if len(names) >= max_entries:
            return failed(f"more than {max_entries} entries")
        name_len, extra_len, comment_len = fields[12], fields[13], fields[14]
        extra_at = min(end, pos + record_size + name_len)
        comment_at = min(end, extra_at + extra_len)
        raw = data[pos + record_size : extra_at]
        if raw.isascii():
            name = intern(raw.decode("ascii"))  # the same in UTF-8 and code page 437; the other views hold this string
        elif fields[5] & 0x800:
            try:
                name = intern(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                return failed(f"UnicodeDecodeError: {exc}")
        else:
            name = intern(raw.decode("cp437"))
        if fields[3] > MAX_EXTRACT_VERSION:
            return failed(f"NotImplementedError: zip file version {fields[3] / 10:.1f}")
        file_size, compressed, offset = fields[11], fields[10], fields[18]
        if extra_at < comment_at:
            decoded = decode_extra(data[extra_at:comment_at], raw, file_size, compressed, offset)
            if isinstance(decoded, str):
                return failed(decoded)
            file_size, compressed, offset, renamed = decoded
            if renamed is not None:
                name = intern(renamed)
        names.append(extracted_name(name))
        sizes.append(file_size)
        compressed_sizes.append(compressed)
        methods.append(fields[6])
        offsets.append(offset)
        total += record_size + name_len + extra_len + comment_len
        pos = min(end, comment_at + comment_len)
    return PythonView(tuple(names), sizes, compressed_sizes, methods, offsets, concat)
