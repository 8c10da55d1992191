"""Source maps (ECMA-426, "Source Map v3"): parse, then look generated positions up lazily.

Our own decoder rather than a PyPI one: the packages there (`sourcemap` 0.2.1,
`python-sourcemaps`, `libsourcemap`, `py-sourcemap`, `jssourcemap`) were last
released between 2015 and 2018, none reads index maps (`sections`) or
`ignoreList`, and `sourcemap` builds a dict entry per segment up front, which
turns a hostile 100 MB `mappings` into gigabytes. Here `mappings` stays a
string until a finding needs a lookup; one pass per map answers every lookup
of that map and keeps no per-segment objects.

A map is untrusted input: every problem is a `SourceMapError` (the whole map
is unusable) or a string in `problems` (one segment skipped), never another
exception. Positions are 0-based lines and 0-based UTF-16 columns, as the
format defines them; converting to code points is the caller's job (see
`utf16_to_cp` and `cp_to_utf16`).
"""

from __future__ import annotations

import base64
import bisect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import unquote_to_bytes

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
DIGITS = {c: i for i, c in enumerate(BASE64)}
VLQ_TOKEN = re.compile(r"[g-z0-9+/]*[A-Za-f]")  # continuation digits, then the last digit of one value
SINGLE_DIGIT = {c: -(i >> 1) if i & 1 else i >> 1 for c, i in DIGITS.items() if i < 32}  # a value without continuation
MAX_VLQ_SHIFT = 30            # ECMA-426: values are 32-bit signed; more digits are an error
MAX_SEGMENT_CACHE = 1 << 16   # distinct segment strings remembered while decoding one map
DEFAULT_MAX_MAP_BYTES = 64 * 1024 * 1024
XSSI_PREFIX = ")]}'"
ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# `//# sourceMappingURL=...` (or the legacy `//@`) alone on a line, and the CSS `/*# ... */` form.
JS_URL_COMMENT = re.compile(r"(?m)^[ \t]*//[#@][ \t]*sourceMappingURL=([^\s'\"]+)[ \t]*\r?$")
CSS_URL_COMMENT = re.compile(r"/\*[#@][ \t]*sourceMappingURL=([^\s*'\"]+)[ \t]*\*/")
URL_COMMENT_TAIL = 64 * 1024  # bundlers write the comment last; look at the tail only


class SourceMapError(ValueError):
    """The map cannot be used at all (not JSON, wrong shape, bad VLQ, too large)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """The mapping that covers a generated position, with where the covering segment starts."""

    map: RegularMap
    source_index: int
    line: int            # original, 0-based
    column: int          # original, 0-based UTF-16
    name_index: int | None
    generated_line: int  # of the covering segment, 0-based, in the looked-up map's own coordinates
    generated_column: int

    @property
    def source(self) -> str | None:
        return self.map.source_reference(self.source_index)

    @property
    def content(self) -> str | None:
        return self.map.content(self.source_index)

    @property
    def ignored(self) -> bool:
        return self.source_index in self.map.ignored

    @property
    def name(self) -> str | None:
        names = self.map.names
        return names[self.name_index] if self.name_index is not None and self.name_index < len(names) else None


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


class _Pieces(dict):
    """Segment text → its fields, decoded once per distinct segment (real maps repeat most of them)."""

    def __missing__(self, piece: str) -> tuple[int, ...]:
        try:
            fields = tuple(map(SINGLE_DIGIT.__getitem__, piece))  # every value one digit: the common case
        except KeyError:
            tokens = VLQ_TOKEN.findall(piece)
            fields = tuple(map(_VALUES.__getitem__, tokens)) if sum(map(len, tokens)) == len(piece) else decode_vlq(piece)
        if len(self) >= MAX_SEGMENT_CACHE:
            self.clear()
        self[piece] = fields
        return fields


class _Values(dict):
    """One VLQ value's digits → the value, decoded once."""

    def __missing__(self, token: str) -> int:
        value = decode_vlq(token)[0]
        if len(self) >= MAX_SEGMENT_CACHE:
            self.clear()
        self[token] = value
        return value


_VALUES = _Values()


def _strings(value: object, field: str, *, nullable: bool) -> tuple[str | None, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SourceMapError(f"`{field}` is not an array")
    return tuple(v if isinstance(v, str) else None for v in value) if nullable else tuple(v if isinstance(v, str) else "" for v in value)


class RegularMap:
    """A source map with `mappings`; the string is decoded only by `lookup_many`."""

    __slots__ = ("_contents", "_mappings", "ignored", "names", "problems", "source_root", "sources")

    def __init__(self, data: Mapping[str, object]) -> None:
        mappings = data.get("mappings")
        if not isinstance(mappings, str):
            raise SourceMapError("`mappings` is missing or not a string")
        root = data.get("sourceRoot")
        self.source_root = root if isinstance(root, str) else None
        self.sources = _strings(data.get("sources"), "sources", nullable=True)
        self._contents = _strings(data.get("sourcesContent"), "sourcesContent", nullable=True)
        self.names = _strings(data.get("names"), "names", nullable=False)
        ignore = data.get("ignoreList", data.get("x_google_ignoreList"))
        self.ignored = frozenset(i for i in ignore if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(self.sources)) if isinstance(ignore, list) else frozenset()
        self._mappings = mappings
        self.problems: list[str] = []

    def source_reference(self, index: int) -> str | None:
        """The source as the map names it, `sourceRoot` applied (not yet resolved against the map's URL)."""
        source = self.sources[index] if 0 <= index < len(self.sources) else None
        if source is None:
            return None
        if self.source_root:
            return self.source_root + ("" if self.source_root.endswith("/") else "/") + source
        return source

    def content(self, index: int) -> str | None:
        return self._contents[index] if 0 <= index < len(self._contents) else None

    def lookup_many(self, positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Segment | None]:
        """For each generated (line, column), the segment covering it, or None where unmapped.

        A segment covers from its generated column to the next segment of the
        same line (the greatest lower bound); a 1-field segment maps to nothing.
        Decoding stops once the last wanted position is passed: segments are
        in column order as every bundler writes them (a line whose columns go
        back is searched whole).
        """
        wanted: dict[int, list[int]] = {}
        for line, column in positions:
            wanted.setdefault(line, []).append(column)
        found: dict[tuple[int, int], Segment | None] = {(line, column): None for line, columns in wanted.items() for column in columns}
        if not wanted:
            return found
        last_line = max(wanted)
        text = self._mappings
        fields_of = _Pieces().__getitem__
        state = [0, 0, 0, 0]  # source, original line, original column, name: relative across lines
        line, start = 0, 0
        while line <= last_line and start <= len(text):
            end = text.find(";", start)
            if end == -1:
                end = len(text)
            pieces = [p for p in text[start:end].split(",") if p] if end > start else []
            columns = wanted.get(line)
            if columns is None:
                self._skip(line, map(fields_of, pieces), state)
            else:
                before = list(state)
                best = self._scan(line, map(fields_of, pieces), state, sorted(set(columns)), stop=line == last_line)
                if best is None:  # columns go back somewhere on this line: search it whole
                    state[:] = before
                    best = self._scan_unsorted(line, map(fields_of, pieces), state, set(columns))
                for wanted_column, (segment_column, target) in best.items():
                    if target is not None:
                        found[(line, wanted_column)] = Segment(self, target[0], target[1], target[2], target[3] if target[3] >= 0 else None, line, segment_column)
            line += 1
            start = end + 1
        return found

    def _skip(self, line: int, decoded: Iterable[tuple[int, ...]], state: list[int]) -> None:
        """Carry the relative fields over a line no lookup is on."""
        source, orig_line, orig_column, name = state
        for fields in decoded:
            count = len(fields)
            if count == 4:
                source += fields[1]
                orig_line += fields[2]
                orig_column += fields[3]
            elif count == 5:
                source += fields[1]
                orig_line += fields[2]
                orig_column += fields[3]
                name += fields[4]
            elif count != 1:
                self._problem(f"line {line + 1}: a segment has {count} fields (1, 4 or 5 expected)")
        state[:] = (source, orig_line, orig_column, name)

    def _target(self, line: int, column: int, fields: tuple[int, ...], state: list[int]) -> tuple[int, int, int, int] | None:
        """Apply one segment's deltas to `state`; what it maps to, or None (unmapped or out of range)."""
        count = len(fields)
        if count == 1:
            return None
        state[0] += fields[1]
        state[1] += fields[2]
        state[2] += fields[3]
        if count == 5:
            state[3] += fields[4]
        source, orig_line, orig_column, name = state
        if column < 0 or orig_line < 0 or orig_column < 0 or not 0 <= source < len(self.sources):
            self._problem(f"line {line + 1}: a segment points outside the map (source {source}, line {orig_line}, column {orig_column})")
            return None
        return (source, orig_line, orig_column, name if count == 5 and 0 <= name < len(self.names) else -1)

    def _scan(self, line: int, decoded: Iterable[tuple[int, ...]], state: list[int], columns: list[int], *, stop: bool) -> dict | None:
        """The covering segment of each sorted column, walking the line once; None if its columns go back.

        The hot loop of the mapping: `_target`'s work is written out inline.
        """
        best: dict[int, tuple[int, tuple[int, int, int, int] | None]] = {}
        at, wanted = 0, len(columns)
        next_column = columns[0]
        column = 0
        source, orig_line, orig_column, name = state
        n_sources, n_names = len(self.sources), len(self.names)
        previous: tuple[int, tuple[int, int, int, int] | None] | None = None
        for fields in decoded:
            count = len(fields)
            if count != 4 and count != 5 and count != 1:
                self._problem(f"line {line + 1}: a segment has {count} fields (1, 4 or 5 expected)")
                continue
            delta = fields[0]
            if delta < 0 and previous is not None:
                return None
            column += delta
            if column > next_column:
                while at < wanted and columns[at] < column:
                    if previous is not None:
                        best[columns[at]] = previous
                    at += 1
                if at == wanted:
                    if stop:
                        state[:] = (source, orig_line, orig_column, name)
                        return best
                    next_column = 1 << 62  # nothing more to resolve on this line
                else:
                    next_column = columns[at]
            if count == 4 or count == 5:
                source += fields[1]
                orig_line += fields[2]
                orig_column += fields[3]
                if count == 5:
                    name += fields[4]
                if column < 0 or orig_line < 0 or orig_column < 0 or not 0 <= source < n_sources:
                    self._problem(f"line {line + 1}: a segment points outside the map (source {source}, line {orig_line}, column {orig_column})")
                    previous = (column, None)
                else:
                    previous = (column, (source, orig_line, orig_column, name if count == 5 and 0 <= name < n_names else -1))
            else:
                previous = (column, None)
        while at < wanted:
            if previous is not None:
                best[columns[at]] = previous
            at += 1
        state[:] = (source, orig_line, orig_column, name)
        return best

    def _scan_unsorted(self, line: int, decoded: Iterable[tuple[int, ...]], state: list[int], columns: set[int]) -> dict:
        best: dict[int, tuple[int, tuple[int, int, int, int] | None]] = {}
        column = 0
        for fields in decoded:
            count = len(fields)
            if count not in (1, 4, 5):
                self._problem(f"line {line + 1}: a segment has {count} fields (1, 4 or 5 expected)")
                continue
            column += fields[0]
            target = self._target(line, column, fields, state)
            for wanted_column in columns:
                if column <= wanted_column and (wanted_column not in best or best[wanted_column][0] <= column):
                    best[wanted_column] = (column, target)
        return best

    def _problem(self, message: str) -> None:
        if len(self.problems) < 10:
            self.problems.append(message)


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
                    segment = replace(segment, generated_line=segment.generated_line + shift[0], generated_column=column)
                found[position] = segment
            self.problems.extend(inner.problems[: max(0, 10 - len(self.problems))])
        return found


SourceMap = RegularMap | IndexMap


def parse_map(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_MAP_BYTES) -> SourceMap:
    """A regular or index map from its JSON text (the `)]}'` anti-XSSI first line allowed)."""
    if len(data) > max_bytes:
        raise SourceMapError(f"the map is {len(data)} bytes, over the {max_bytes}-byte limit")
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if data.startswith(XSSI_PREFIX):
        data = data.split("\n", 1)[1] if "\n" in data else ""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise SourceMapError(f"not JSON: {error}") from None
    if not isinstance(value, dict):
        raise SourceMapError("not a JSON object")
    if value.get("version") != 3:
        raise SourceMapError(f"`version` is {value.get('version')!r}, not 3")
    return IndexMap(value) if "sections" in value else RegularMap(value)


def map_url_of(text: str, *, css: bool) -> str | None:
    """The last `sourceMappingURL` comment of a script or style sheet, or None."""
    tail = text[-URL_COMMENT_TAIL:]
    matches = (CSS_URL_COMMENT if css else JS_URL_COMMENT).findall(tail)
    return matches[-1] if matches else None


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
        try:
            return base64.b64decode(unquote_to_bytes(payload), validate=False)
        except ValueError as error:
            raise SourceMapError(f"bad base64 in the data: URL: {error}") from None
    return unquote_to_bytes(payload)


def cp_to_utf16(line: str, column: int) -> int:
    """0-based code-point column → 0-based UTF-16 column on a line."""
    if not ASTRAL.search(line, 0, column):
        return column
    return column + len(ASTRAL.findall(line, 0, column))


def utf16_to_cp(line: str, column: int) -> int:
    """0-based UTF-16 column → 0-based code-point column on a line (clamped to the line)."""
    if not ASTRAL.search(line):
        return column
    units = 0
    for index, char in enumerate(line):
        if units >= column:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)
