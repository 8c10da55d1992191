"""Build OTA zips in memory for tests, including hostile ones (lying directories, bombs).

Fixtures stay tiny on disk: bombs are highly compressible data or a central
directory that declares sizes it does not hold.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Mapping
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
