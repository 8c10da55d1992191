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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import accumulate, chain
from operator import mul
from urllib.parse import unquote_to_bytes

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
DIGITS = {c: i for i, c in enumerate(BASE64)}
MAX_VLQ_SHIFT = 30            # ECMA-426: values are 32-bit signed; more digits are an error
MAX_SEGMENT_CACHE = 1 << 16   # distinct segment strings remembered while decoding one map
CARRY_CHUNK = 1 << 20         # mappings text summed at a time over lines without lookups (bounds the segment list)
SEPARATOR = re.compile("[,;]")
TERMINAL = re.compile("[A-Za-f]")  # the last digit of a value: one per field
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


class _Values(dict):
    """One VLQ value's digits → the value, decoded once ('' is an absent field: 0)."""

    def __missing__(self, token: str) -> int:
        value = decode_vlq(token)[0] if token else 0
        if len(self) >= MAX_SEGMENT_CACHE:
            self.clear()
        self[token] = value
        return value


_VALUES = _Values()
_TOKEN = "[g-z0-9+/]*[A-Za-f]"  # continuation digits, then the last digit of one value
_FIELDS = re.compile(f"({_TOKEN})({_TOKEN})?({_TOKEN})?({_TOKEN})?({_TOKEN})?")  # one segment, up to five values


@dataclass(frozen=True, slots=True)
class _Decoded:
    """The distinct segments of a stretch of `mappings`, with their five fields as columns (absent fields 0)."""

    segments: list[str]
    columns: list[list[int]]  # columns[f][i]: field f of segments[i]
    bad: dict[str, int]       # segments with 2, 3 or 6+ fields (counted as no segment): their field count


def _decode(distinct: list[str]) -> _Decoded:
    """Decode distinct segments: one regex pass and dict look-ups at C speed, so a map costs its
    distinct segments' distinct values, not a Python step per segment; segment by segment (to say
    what is wrong, or raise) only when the batch is malformed."""
    joined = ",".join(distinct)
    rows = _FIELDS.findall(joined)
    # One row per segment and no character left out (skipping only shortens) means every segment was read whole.
    if len(rows) == len(distinct) and sum(map(len, chain.from_iterable(rows))) == len(joined) - len(distinct) + 1:
        strings = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
        if strings[1].count("") == strings[3].count(""):  # no segment of 2 or 3 values
            value = _VALUES.__getitem__
            return _Decoded(distinct, [list(map(value, column)) for column in strings], {})
    fields = [decode_vlq(piece) for piece in distinct]
    bad = {piece: len(f) for piece, f in zip(distinct, fields, strict=True) if len(f) not in (1, 4, 5)}
    padded = [(*f, 0, 0, 0, 0)[:5] if len(f) in (1, 4, 5) else (0, 0, 0, 0, 0) for f in fields]
    return _Decoded(distinct, [list(column) for column in zip(*padded, strict=True)] or [[], [], [], [], []], bad)


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
        Only the lines holding a lookup are put in order; the lines before them
        are only summed (the source, line, column and name fields are relative
        across lines), and nothing after the last wanted line is read.
        Segments are in column order as every bundler writes them (a line whose
        columns go back is searched whole).
        """
        wanted: dict[int, set[int]] = {}
        for line, column in positions:
            wanted.setdefault(line, set()).add(column)
        found: dict[tuple[int, int], Segment | None] = {(line, column): None for line, columns in wanted.items() for column in columns}
        if not wanted:
            return found
        text = self._mappings
        state = [0, 0, 0, 0]  # source, original line, original column, name
        line, start, last_line = 0, 0, max(wanted)
        for wanted_line in sorted(wanted):
            begin, first = start, line
            while line < wanted_line:
                cut = text.find(";", start)
                if cut == -1:
                    return found  # the mappings end before this line: nothing there is mapped
                start, line = cut + 1, line + 1
            self._carry(text, begin, start - 1, state, first)
            end = text.find(";", start)
            end = len(text) if end == -1 else end
            pieces = list(filter(None, text[start:end].split(",")))
            self._resolve(line, pieces, state, sorted(wanted[line]), found, last=line == last_line)
            line, start = line + 1, end + 1
            if start > len(text):
                break
        return found

    def _carry(self, text: str, begin: int, end: int, state: list[int], first_line: int) -> None:
        """Add the fields of every segment in `text[begin:end]` (whole lines no lookup is on) to `state`."""
        position = begin
        while position < end:
            stop = min(end, position + CARRY_CHUNK)
            if stop < end:
                cut = SEPARATOR.search(text, stop, end)
                stop = cut.start() if cut else end
            counts = Counter(filter(None, text[position:stop].replace(";", ",").split(",")))
            decoded = _decode(list(counts))
            if decoded.bad:
                self._bad_segment(first_line + text.count(";", begin, position), decoded.bad)
            weights = list(counts.values())
            for field in range(4):
                state[field] += sum(map(mul, decoded.columns[field + 1], weights))
            position = stop + 1

    def _resolve(self, line: int, pieces: list[str], state: list[int], columns: list[int], found: dict, *, last: bool) -> None:
        """The covering segment of each sorted column of one line, into `found`; `state` carried past the line."""
        try:
            decoded = _decode(list(dict.fromkeys(pieces)))
        except SourceMapError:
            if not last:
                raise
            self._scan_lazily(line, pieces, state, columns, found)  # bad text after the wanted columns may stay unread
            return
        if decoded.bad:
            self._bad_segment(line, decoded.bad)
            pieces = [p for p in pieces if p not in decoded.bad]
        number = {piece: n for n, piece in enumerate(decoded.segments)}
        order = list(map(number.__getitem__, pieces))
        deltas = list(map(decoded.columns[0].__getitem__, order))
        if min(deltas[1:], default=0) < 0:  # columns go back on this line
            self._keep(line, self._scan_unsorted(line, map(decode_vlq, pieces), state, set(columns)), found)
            return
        generated = list(accumulate(deltas))
        sums, done = list(state), 0
        n_sources, n_names = len(self.sources), len(self.names)
        for column in columns:
            at = bisect.bisect_right(generated, column) - 1
            if at < 0:
                continue
            if at >= done:
                for field in range(4):
                    sums[field] += sum(map(decoded.columns[field + 1].__getitem__, order[done : at + 1]))
                done = at + 1
            count = len(TERMINAL.findall(pieces[at]))
            if count == 1:
                continue
            source, orig_line, orig_column, name = sums
            if generated[at] < 0 or orig_line < 0 or orig_column < 0 or not 0 <= source < n_sources:
                self._problem(f"line {line + 1}: a segment points outside the map (source {source}, line {orig_line}, column {orig_column})")
                continue
            found[(line, column)] = Segment(self, source, orig_line, orig_column, name if count == 5 and 0 <= name < n_names else None, line, generated[at])
        for field in range(4):
            sums[field] += sum(map(decoded.columns[field + 1].__getitem__, order[done:]))
        state[:] = sums

    def _scan_lazily(self, line: int, pieces: list[str], state: list[int], columns: list[int], found: dict) -> None:
        """The last wanted line when its text has bad VLQ: decode segment by segment and stop past the last column."""
        best = self._scan(line, map(decode_vlq, pieces), state, columns, stop=True)
        if best is None:
            best = self._scan_unsorted(line, map(decode_vlq, pieces), state, set(columns))
        self._keep(line, best, found)

    def _keep(self, line: int, best: dict, found: dict) -> None:
        for wanted_column, (segment_column, target) in best.items():
            if target is not None:
                found[(line, wanted_column)] = Segment(self, target[0], target[1], target[2], target[3] if target[3] >= 0 else None, line, segment_column)

    def _bad_segment(self, line: int, bad: dict[str, int]) -> None:
        self._problem(f"line {line + 1}: a segment has {next(iter(bad.values()))} fields (1, 4 or 5 expected)")

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
    if line.isascii() or not ASTRAL.search(line, 0, column):
        return column
    return column + len(ASTRAL.findall(line, 0, column))


def utf16_to_cp(line: str, column: int) -> int:
    """0-based UTF-16 column → 0-based code-point column on a line (clamped to the line)."""
    if line.isascii() or not ASTRAL.search(line):
        return column
    units = 0
    for index, char in enumerate(line):
        if units >= column:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)
