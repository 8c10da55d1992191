"""Build OTA zips in memory for tests, including hostile ones (lying directories, bombs).

`zip_bytes` writes with Python's `zipfile`; `raw_zip` writes every byte itself
from `Member`s, so a test can make any local header, central record, data
descriptor or end record say anything.

Fixtures stay tiny on disk: bombs are highly compressible data or a central
directory that declares sizes it does not hold.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

APP = {"index.html": "<!doctype html><script src=app.js></script>", "app.js": "CapacitorUpdater.notifyAppReady();\n"}


def zip_bytes(files: Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]], *, method: int = zipfile.ZIP_DEFLATED, modes: Mapping[str, int] | None = None, system: int = 3) -> bytes:
    """A zip of the given members, in order (duplicates allowed when given as pairs)."""
    buffer = io.BytesIO()
    items = files.items() if isinstance(files, Mapping) else files
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in items:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.create_system = system
            info.external_attr = ((modes or {}).get(name, 0o100644)) << 16
            data = content.encode() if isinstance(content, str) else content
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # duplicate names are the point of some fixtures
                archive.writestr(info, data)
    return buffer.getvalue()


def write_zip(path: Path, files, **kwargs) -> Path:
    path.write_bytes(zip_bytes(files, **kwargs))
    return path


def central_records(data: bytes) -> list[int]:
    """Offsets of every central-directory file header."""
    eocd = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, eocd + 10)
    offsets, pos = [], start
    for _ in range(count):
        offsets.append(pos)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        pos += 46 + name_len + extra_len + comment_len
    return offsets


def patch_sizes(data: bytes, index: int, *, size: int | None = None, compressed: int | None = None, local: bool = False, flags: int | None = None) -> bytes:
    """Make member `index` declare other sizes/flags in the central directory (and its local header)."""
    out = bytearray(data)
    record = central_records(data)[index]
    header = struct.unpack_from("<I", data, record + 42)[0]
    if flags is not None:
        struct.pack_into("<H", out, record + 8, flags)
    if compressed is not None:
        struct.pack_into("<I", out, record + 20, compressed)
    if size is not None:
        struct.pack_into("<I", out, record + 24, size)
    if local:
        if flags is not None:
            struct.pack_into("<H", out, header + 6, flags)
        if compressed is not None:
            struct.pack_into("<I", out, header + 18, compressed)
        if size is not None:
            struct.pack_into("<I", out, header + 22, size)
    return bytes(out)


def hostile_ota_fixtures(root: Path) -> dict[str, Path]:
    """OTA inputs that try to make an auditor act: zip slip, links, a bomb, code in a config."""
    slip = write_zip(
        root / "slip.zip",
        {**APP, "../../../../tmp/pwned": "x", "/tmp/pwned-abs": "x", "link": "/etc/passwd", "inner.zip": zip_bytes({"../x": "y"})},
        modes={"link": 0o120777},
    )
    bomb = root / "bomb.zip"
    bomb.write_bytes(patch_sizes(zip_bytes({**APP, "pad.js": b"\0" * (2 * 1024 * 1024)}), 2, size=2**32 - 1, local=True))
    config = root / "capacitor.config.ts"
    config.write_text(
        "require('child_process').execSync('touch /tmp/pwned');\n"
        "export default { appId: require('fs').writeFileSync('/tmp/pwned', 'x'), server: { url: 'http://127.0.0.1:9' } };\n",
        encoding="utf-8",
    )
    response = root / "update-response.json"
    response.write_text('{"version": "1.0.0", "url": "http://127.0.0.1:9/b.zip", "checksum": "00"}', encoding="utf-8")
    return {"ota-slip": slip, "ota-bomb": bomb, "ota-config": config, "ota-response": response}


# --- a raw zip writer that can lie in any header field ---------------------------------------

LOCAL_MAGIC, CENTRAL_MAGIC, EOCD_MAGIC, DESCRIPTOR_MAGIC = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x07\x08"


@dataclass
class Member:
    """One entry. Every header field can be overridden separately in the local header (`local_*`)
    and the central record (`cd_*`); None means "the true value"."""

    name: str | bytes
    data: bytes = b""
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0
    made_by: int = 3                    # upper byte of "version made by": 0 DOS, 3 Unix, 19 OS X
    mode: int = 0o100644                # Unix mode in the external attributes' high 16 bits
    descriptor: bool = False            # write a data descriptor (and set flag bit 3)
    descriptor_magic: bool = True
    descriptor_fields: tuple[int, int, int] | None = None  # (crc, compressed, size) written in the descriptor
    local_name: bytes | None = None
    local_method: int | None = None
    local_flags: int | None = None
    local_crc: int | None = None
    local_size: int | None = None
    local_compressed: int | None = None
    local_extra: bytes = b""
    cd_name: bytes | None = None
    cd_method: int | None = None
    cd_flags: int | None = None
    cd_crc: int | None = None
    cd_size: int | None = None
    cd_compressed: int | None = None
    cd_offset: int | None = None
    cd_extra: bytes = b""
    listed: bool = True                 # has a central directory record
    written: bool = True                # has a local header and data
    payload: bytes | None = None        # the compressed bytes written (default: `data` compressed by `method`)

    def raw_name(self) -> bytes:
        return self.name.encode("utf-8") if isinstance(self.name, str) else self.name

    def compressed(self) -> bytes:
        if self.payload is not None:
            return self.payload
        if self.method == zipfile.ZIP_DEFLATED:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            return packer.compress(self.data) + packer.flush()
        return self.data


def raw_zip(members: Iterable[Member], *, prefix: bytes = b"", between: Mapping[int, bytes] | None = None,
            comment: bytes = b"", count: int | None = None, cd_offset: int | None = None, suffix: bytes = b"") -> bytes:
    """Write members exactly as told: `prefix` before the first, `between[i]` after member i,
    `comment` in the end record (`count` and `cd_offset` override what it declares), `suffix` after it."""
    out = bytearray(prefix)
    records = []
    between = between or {}
    for index, m in enumerate(members):
        name = m.raw_name()
        body = m.compressed()
        crc = zlib.crc32(m.data)
        flags = m.flags | (0x8 if m.descriptor else 0)
        offset = len(out)
        if m.written:
            local_flags = flags if m.local_flags is None else m.local_flags
            zero = m.descriptor
            out += struct.pack(
                "<4sHHHHHIIIHH", LOCAL_MAGIC, 20, local_flags, m.method if m.local_method is None else m.local_method, 0, 0x5821,
                (0 if zero else crc) if m.local_crc is None else m.local_crc,
                (0 if zero else len(body)) if m.local_compressed is None else m.local_compressed,
                (0 if zero else len(m.data)) if m.local_size is None else m.local_size,
                len(m.local_name if m.local_name is not None else name), len(m.local_extra),
            )
            out += (m.local_name if m.local_name is not None else name) + m.local_extra + body
            if m.descriptor:
                fields = m.descriptor_fields or (crc, len(body), len(m.data))
                out += (DESCRIPTOR_MAGIC if m.descriptor_magic else b"") + struct.pack("<III", *fields)
        out += between.get(index, b"")
        if m.listed:
            cd_name = m.cd_name if m.cd_name is not None else name
            records.append(struct.pack(
                "<4sHHHHHHIIIHHHHHII", CENTRAL_MAGIC, (m.made_by << 8) | 20, 20, flags if m.cd_flags is None else m.cd_flags,
                m.method if m.cd_method is None else m.cd_method, 0, 0x5821,
                crc if m.cd_crc is None else m.cd_crc,
                len(body) if m.cd_compressed is None else m.cd_compressed,
                len(m.data) if m.cd_size is None else m.cd_size,
                len(cd_name), len(m.cd_extra), 0, 0, 0, m.mode << 16, offset if m.cd_offset is None else m.cd_offset,
            ) + cd_name + m.cd_extra)
    start = len(out)
    directory = b"".join(records)
    out += directory
    n = len(records) if count is None else count
    out += struct.pack("<4sHHHHIIH", EOCD_MAGIC, 0, 0, n, n, len(directory), start if cd_offset is None else cd_offset, len(comment)) + comment
    return bytes(out + suffix)


def end_record(data: bytes) -> bytes:
    """The end-of-central-directory record (and comment) of `data`, to hide a second directory."""
    return data[data.rfind(EOCD_MAGIC):]
