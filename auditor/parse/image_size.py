"""Image format and pixel size from the first bytes of a file: never trust `sizes`.

Only what Chrome's installability check cares about: PNG, WebP (lossy, lossless,
extended) and SVG (scalable, so any size). Reads at most HEAD bytes.
"""

from __future__ import annotations

import struct

from auditor.engine.record import FrozenRecord, store_fields

HEAD = 64


class ImageInfo(FrozenRecord):
    __slots__ = ("format", "height", "width")
    format: str  # "png", "webp", "svg", or "unknown"
    width: int | None  # None for SVG (scalable) and unknown
    height: int | None

    def __init__(self, format: str, width: int | None = None, height: int | None = None) -> None:
        store_fields(self, locals())

    @property
    def scalable(self) -> bool:
        return self.format == "svg"


def image_info(head: bytes, content_type: str = "") -> ImageInfo:
    """Sniff the format from magic bytes (SVG from its content type or an `<svg` start)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24 and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return ImageInfo("png", width, height)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and len(head) >= 30:
        chunk = head[12:16]
        if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
            width, height = struct.unpack("<HH", head[26:30])
            return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF)
        if chunk == b"VP8L" and head[20] == 0x2F:
            bits = int.from_bytes(head[21:25], "little")
            return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        if chunk == b"VP8X":
            width = int.from_bytes(head[24:27], "little") + 1
            height = int.from_bytes(head[27:30], "little") + 1
            return ImageInfo("webp", width, height)
        return ImageInfo("webp")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if content_type == "image/svg+xml" or (text.startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower()):
        return ImageInfo("svg")
    return ImageInfo("unknown")
