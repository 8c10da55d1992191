"""Bounded, strict CBOR reading in the shape Chromium's reader accepts.

Chromium (components/cbor/reader.cc) rejects non-canonical map key order,
duplicate keys, non-minimal integers and lengths, indefinite lengths, tags,
floats, simple values other than false/true/null/undefined, and invalid UTF-8.
We validate an item's structure over the raw bytes first — checking every
declared length against what remains, before anything is allocated — and only
then let cbor2 decode the (now known to be bounded) bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.engine.errors import LimitExceeded, Malformed, Truncated

MAJOR_UINT, MAJOR_NINT, MAJOR_BSTR, MAJOR_TSTR, MAJOR_ARRAY, MAJOR_MAP, MAJOR_TAG, MAJOR_SIMPLE = range(8)
MAJOR_NAMES = ("unsigned integer", "negative integer", "byte string", "text string", "array", "map", "tag", "simple value/float")


@dataclass(frozen=True, slots=True)
class Head:
    """One CBOR item head: major type, argument, and where the item's content starts."""

    major: int
    arg: int
    offset: int        # absolute offset of the head
    content: int       # absolute offset just after the head


class CborReader:
    """Strict structural reader over a byte view; offsets are absolute in the file."""

    def __init__(self, data: memoryview | bytes, *, base: int = 0, where: str = "", max_depth: int = 16, max_items: int | None = None) -> None:
        self.data = data
        self.base = base  # absolute offset of data[0]
        self.end = base + len(data)
        self.where = where
        self.max_depth = max_depth
        self.max_items = max_items
        self._items = 0

    def _byte(self, pos: int) -> int:
        return self.data[pos - self.base]

    def _slice(self, start: int, end: int) -> memoryview | bytes:
        return self.data[start - self.base : end - self.base]

    def need(self, pos: int, count: int, what: str) -> None:
        """Fail before reading when fewer than `count` bytes remain at `pos`."""
        if count < 0 or pos + count > self.end:
            remaining = max(0, self.end - pos)
            raise Truncated(f"{what} needs {count} bytes but only {remaining} remain", offset=pos, where=self.where or None)

    def head(self, pos: int, what: str = "CBOR item") -> Head:
        """Read and validate an item head: definite length, minimal encoding."""
        self.need(pos, 1, what)
        initial = self._byte(pos)
        major, info = initial >> 5, initial & 0x1F
        if info < 24:
            return Head(major, info, pos, pos + 1)
        if info > 27:
            reason = "indefinite length" if info == 31 else "reserved additional information"
            raise Malformed(f"{what}: {reason} (0x{initial:02x}) is not allowed", offset=pos, where=self.where or None)
        if major == MAJOR_SIMPLE and info != 24:
            raise Malformed(f"{what}: floating-point values are not allowed", offset=pos, where=self.where or None)
        size = 1 << (info - 24)
        self.need(pos + 1, size, f"{what} head")
        arg = int.from_bytes(self._slice(pos + 1, pos + 1 + size), "big")
        # RFC 8949 §3.3: a one-byte simple value below 32 is not well-formed.
        minimum = 32 if major == MAJOR_SIMPLE else 24 if size == 1 else 1 << (8 * (size >> 1))
        if arg < minimum:
            raise Malformed(f"{what}: non-minimal encoding of {arg}", offset=pos, where=self.where or None)
        return Head(major, arg, pos, pos + 1 + size)

    def expect(self, pos: int, major: int, what: str) -> Head:
        h = self.head(pos, what)
        if h.major != major:
            raise Malformed(f"{what}: expected a {MAJOR_NAMES[major]}, found a {MAJOR_NAMES[h.major]}", offset=pos, where=self.where or None)
        return h

    def string_end(self, h: Head, what: str) -> int:
        self.need(h.content, h.arg, what)
        return h.content + h.arg

    def skip(self, pos: int, *, depth: int = 0, canonical: bool = True, what: str = "CBOR item") -> int:
        """Validate one item strictly and return the offset just past it."""
        if depth > self.max_depth:
            raise LimitExceeded(f"{what}: nesting deeper than {self.max_depth} (max_cbor_depth)", offset=pos, where=self.where or None)
        self._items += 1
        if self.max_items is not None and self._items > self.max_items:
            raise LimitExceeded(f"more than {self.max_items} CBOR items", offset=pos, where=self.where or None)
        h = self.head(pos, what)
        if h.major in (MAJOR_UINT, MAJOR_NINT):
            return h.content
        if h.major == MAJOR_BSTR:
            return self.string_end(h, what)
        if h.major == MAJOR_TSTR:
            end = self.string_end(h, what)
            try:
                bytes(self._slice(h.content, end)).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Malformed(f"{what}: text string is not valid UTF-8", offset=h.content + exc.start, where=self.where or None) from None
            return end
        if h.major == MAJOR_ARRAY:
            # Each element takes at least one byte: a count larger than what remains is a lie.
            self.need(h.content, h.arg, f"{what} (array of {h.arg})")
            p = h.content
            for _ in range(h.arg):
                p = self.skip(p, depth=depth + 1, canonical=canonical, what=what)
            return p
        if h.major == MAJOR_MAP:
            self.need(h.content, 2 * h.arg, f"{what} (map of {h.arg})")
            p = h.content
            previous: tuple | None = None
            seen: set[bytes] = set()
            for _ in range(h.arg):
                key_start = p
                key_head = self.head(p, what)
                p = self.skip(p, depth=depth + 1, canonical=canonical, what=what)
                key = bytes(self._slice(key_start, p))
                if key in seen:
                    raise Malformed(f"{what}: duplicate map key", offset=key_start, where=self.where or None)
                seen.add(key)
                order = (key_head.major, len(key), key)
                if canonical and previous is not None and order < previous:
                    raise Malformed(f"{what}: map keys out of canonical order", offset=key_start, where=self.where or None)
                previous = order
                p = self.skip(p, depth=depth + 1, canonical=canonical, what=what)
            return p
        if h.major == MAJOR_TAG:
            raise Malformed(f"{what}: tags are not allowed", offset=pos, where=self.where or None)
        # major 7 with info < 24: simple values; only false, true, null, undefined
        if h.arg not in (20, 21, 22, 23):
            raise Malformed(f"{what}: simple value {h.arg} is not allowed", offset=pos, where=self.where or None)
        return h.content

    def decode(self, pos: int, *, canonical: bool = True, what: str = "CBOR item") -> tuple[object, int]:
        """Validate, then decode the bounded item with cbor2; returns (value, end)."""
        import cbor2

        end = self.skip(pos, canonical=canonical, what=what)
        try:
            value = cbor2.loads(bytes(self._slice(pos, end)))
        except (cbor2.CBORDecodeError, ValueError, RecursionError) as exc:  # validated above; belt and braces
            raise Malformed(f"{what}: {exc}", offset=pos, where=self.where or None) from None
        return value, end

    def raw(self, start: int, end: int) -> bytes:
        return bytes(self._slice(start, end))
