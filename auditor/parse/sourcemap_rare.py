"""The parts of source maps most audits never reach: index maps, inline `data:` URLs, the one-value decoder.

Kept apart from `sourcemap` so that a mapped run compiles and imports only the
regular-map decoder (this sandbox, and any run without byte code, compiles
each module it imports: ~1.5 ms for these). `sourcemap` re-exports the names.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from urllib.parse import unquote_to_bytes

from auditor.parse.sourcemap import DEFAULT_MAX_MAP_BYTES, DIGITS, MAX_VLQ_SHIFT, RegularMap, Segment, SourceMapError


def decode_vlq(segment: str) -> tuple[int, ...]:
    """The signed integers of one Base64 VLQ segment."""
    values: list[int] = []
    value = shift = 0
    for char in segment:
        digit = DIGITS.get(char)
        if digit is None:
            raise SourceMapError(f"invalid character {char!r} in mappings")
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            if shift > MAX_VLQ_SHIFT:
                raise SourceMapError("a mappings value exceeds 32 bits")
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            value = shift = 0
    if shift:
        raise SourceMapError("a mappings value is cut off")
    return tuple(values)


class IndexMap:
    """A map made of `sections`, each a regular map placed at a generated offset."""

    __slots__ = ("_offsets", "problems", "sections")

    def __init__(self, data: Mapping[str, object]) -> None:
        sections = data.get("sections")
        if not isinstance(sections, list):
            raise SourceMapError("`sections` is not an array")
        parsed: list[tuple[int, int, RegularMap]] = []
        for number, section in enumerate(sections):
            offset = section.get("offset") if isinstance(section, dict) else None
            line = offset.get("line") if isinstance(offset, dict) else None
            column = offset.get("column") if isinstance(offset, dict) else None
            if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (line, column)):
                raise SourceMapError(f"section {number}: `offset` needs non-negative integer `line` and `column`")
            inner = section.get("map")
            if not isinstance(inner, dict):
                raise SourceMapError(f"section {number}: `map` is not an object (a `url` section is not supported)")
            if "sections" in inner:
                raise SourceMapError(f"section {number}: an index map cannot nest another index map")
            if parsed and (line, column) < parsed[-1][:2]:
                raise SourceMapError(f"section {number}: sections are not in order")
            parsed.append((line, column, RegularMap(inner)))  # type: ignore[arg-type]
        self.sections = tuple(parsed)
        self._offsets = [(line, column) for line, column, _ in parsed]
        self.problems: list[str] = []

    def lookup_many(self, positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Segment | None]:
        by_section: dict[int, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        found: dict[tuple[int, int], Segment | None] = {}
        for line, column in positions:
            found[(line, column)] = None
            number = bisect.bisect_right(self._offsets, (line, column)) - 1
            if number < 0:
                continue
            off_line, off_column, _ = self.sections[number]
            local = (line - off_line, column - off_column if line == off_line else column)
            by_section.setdefault(number, []).append(((line, column), local))
        for number, pairs in by_section.items():
            inner = self.sections[number][2]
            results = inner.lookup_many(local for _, local in pairs)
            for position, local in pairs:
                segment = results[local]
                if segment is not None:  # back to the index map's own coordinates
                    shift = self._offsets[number]
                    column = segment.generated_column + (shift[1] if segment.generated_line == 0 else 0)
                    segment = segment._replace(generated_line=segment.generated_line + shift[0], generated_column=column)
                found[position] = segment
            self.problems.extend(inner.problems[: max(0, 10 - len(self.problems))])
        return found


SourceMap = RegularMap | IndexMap


def decode_data_url(url: str, *, max_bytes: int = DEFAULT_MAX_MAP_BYTES) -> bytes:
    """The payload of a `data:` URL (base64 or percent-encoded), bounded in size."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise SourceMapError("a data: URL without a comma")
    mime = header.split(";", 1)[0].strip().lower()
    if mime not in ("", "application/json", "text/json", "application/octet-stream"):
        raise SourceMapError(f"a data: URL of type {mime!r}, not application/json")
    if len(payload) > max_bytes * 4 // 3 + 4:
        raise SourceMapError(f"the inline map is over the {max_bytes}-byte limit")
    if header.lower().rstrip().endswith(";base64"):
        import base64  # only an inline map needs it (~0.5 ms to import with binascii)

        try:
            return base64.b64decode(unquote_to_bytes(payload), validate=False)
        except ValueError as error:
            raise SourceMapError(f"bad base64 in the data: URL: {error}") from None
    return unquote_to_bytes(payload)
