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

import bisect
import json
import re
import sys
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate, repeat
from operator import mul
from typing import TYPE_CHECKING, NamedTuple

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
DIGITS = {c: i for i, c in enumerate(BASE64)}
MAX_VLQ_SHIFT = 30            # ECMA-426: values are 32-bit signed; more digits are an error
MAX_DIGITS = MAX_VLQ_SHIFT // 5 + 1  # so a value has at most 7 digits
MAX_SHAPES = 1 << 12          # distinct segment shapes remembered (a shape: where each value ends)
CARRY_CHUNK = 1 << 20         # mappings text decoded at a time (bounds the segment lists)
FIRST_CHUNK = 1 << 12         # characters first read of a line with lookups (then sized from its columns per character)
SKIP_MIN = 1 << 13            # characters to a line's next lookup worth summing rather than putting in order
SKIP_SHARE = 0.8              # the share of them summed at a time (short of the column: a stretch past it is read again)
SEPARATOR = re.compile("[,;]")
# A one-digit value's digit -> the value as a signed byte (the 32 digits without a continuation bit).
ONE_DIGIT = bytes.maketrans(BASE64[:32].encode(), bytes((-(d >> 1) if d & 1 else d >> 1) & 0xFF for d in range(32)))
LOW_BITS = bytes.maketrans(BASE64.encode(), bytes(d & 31 for d in range(64)))  # a digit -> its five value bits
SHAPE = str.maketrans({c: "t" if i < 32 else "c" for i, c in enumerate(BASE64)})  # a value's last digit -> t, the others -> c
DEFAULT_MAX_MAP_BYTES = 64 * 1024 * 1024
XSSI_PREFIX = ")]}'"
ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# `//# sourceMappingURL=...` (or the legacy `//@`) alone on a line, and the CSS `/*# ... */` form.
JS_URL_COMMENT = re.compile(r"(?m)^[ \t]*//[#@][ \t]*sourceMappingURL=([^\s'\"]+)[ \t]*\r?$")
CSS_URL_COMMENT = re.compile(r"/\*[#@][ \t]*sourceMappingURL=([^\s*'\"]+)[ \t]*\*/")
URL_COMMENT_TAIL = 64 * 1024  # bundlers write the comment last; look at the tail only


class SourceMapError(ValueError):
    """The map cannot be used at all (not JSON, wrong shape, bad VLQ, too large)."""


class Segment(NamedTuple):
    """The mapping that covers a generated position, with where the covering segment starts.

    A NamedTuple, not a dataclass: defining one costs a tenth (~1 ms less at the import mapping pays for)."""

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


_PLACES: dict[str, tuple[int | slice, ...] | None] = {}
_TWO: list[int] = []  # two-digit values by (first digit & 31) | (second digit & 31) << 8, filled on first use


def _two_digits(joined: bytes, at: int, width: int) -> list[int]:
    """The two-digit values at `at` of every segment of a group: both digits' low bits paired into a 16-bit index."""
    if not _TWO:
        _TWO.extend(repeat(0, 1 << 13))
        for raw in range(1 << 10):
            _TWO[(raw & 31) | (raw >> 5) << 8] = -(raw >> 1) if raw & 1 else raw >> 1
    pairs = bytearray(2 * (len(joined) // width))
    low, high = (0, 1) if sys.byteorder == "little" else (1, 0)
    pairs[low::2] = joined[at::width].translate(LOW_BITS)
    pairs[high::2] = joined[at + 1 :: width].translate(LOW_BITS)
    return list(map(_TWO.__getitem__, array("H", pairs)))


def _long_values(joined: bytes, at: int, digits: int, width: int) -> list[int]:
    """The values of three to seven digits at `at` of every segment of a group, with no step per segment.

    Each value gets a 64-bit record of one integer: its digits' five bits
    shifted into place (raw < 2**35), then the zigzag sign applied to every
    record at once: a negative value -m becomes 2**64 - m in its record (m > 0
    only: -0 stays 0), so each record stays in range and the bytes read back
    as signed 64-bit integers.
    """
    count = len(joined) // width
    records = bytearray(8 * count)
    raw = 0
    for digit in range(digits):
        records[0::8] = joined[at + digit :: width].translate(LOW_BITS)
        raw |= int.from_bytes(records, "little") << (5 * digit)
    ones = int.from_bytes(b"\x01\0\0\0\0\0\0\0" * count, "little")
    low63 = (ones << 63) - ones  # 2**63 - 1 in every record
    magnitude = (raw >> 1) & low63  # raw >> 1 in every record: the next record's low bit masked off
    negative = raw & ones & ((magnitude + low63) >> 63)  # 1 where the sign bit is set and the magnitude is not 0
    signed = magnitude + (negative << 64) - 2 * (magnitude & negative * 0xFFFF_FFFF_FFFF_FFFF)  # 2**64 - m where negative
    values = array("q", signed.to_bytes(8 * count, "little"))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def _places(shape: str) -> tuple[int | slice, ...] | None:
    """Where each value of a segment of this shape stands (an index for a one-digit value), or None if malformed
    (a character outside Base64, a value cut off or of more than 7 digits: over 32 bits)."""
    if shape in _PLACES:
        return _PLACES[shape]
    places: list[int | slice] | None = []
    begin = 0
    for at, kind in enumerate(shape):
        if kind == "t":
            if at - begin >= MAX_DIGITS:
                places = None
                break
            places.append(at if at == begin else slice(begin, at + 1))
            begin = at + 1
        elif kind != "c":
            places = None  # a character outside Base64
            break
    result = tuple(places) if places is not None and begin == len(shape) else None
    if len(_PLACES) >= MAX_SHAPES:
        _PLACES.clear()
    _PLACES[shape] = result
    return result


_Group = tuple[list[str], int, list[Sequence[int] | None]]  # segments of one shape, their field count, field columns


def _decode(distinct: list[str], *, first_field: int = 0) -> tuple[list[_Group], dict[str, int]]:
    """Distinct segments grouped by shape (where each value ends), each group's fields as columns.

    One translate of the joined segments gives every segment's shape. In a
    group every segment has the same length and every value the same place,
    so a one-digit field (most of them) is one extended slice of the group's
    joined bytes and one translate to signed bytes, and a longer one a pass
    of byte slices and one list look-up per segment for two digits, or byte
    slices and integer arithmetic for more: no Python step runs per segment. Fields
    before `first_field` are not decoded (None). Raises SourceMapError on a
    value that does not decode; segments of 2, 3 or 6+ fields are left out
    and returned in `bad` with their field count.
    """
    if not distinct:
        return [], {}
    shapes = ",".join(distinct).translate(SHAPE).split(",")
    by_shape: dict[str, list[str]] = {shape: [] for shape in set(shapes)}
    deque(map(list.append, map(by_shape.__getitem__, shapes), distinct), maxlen=0)
    groups: list[_Group] = []
    bad: dict[str, int] = {}
    for shape, group in by_shape.items():
        places = _places(shape)
        if places is None:
            from auditor.parse.sourcemap_rare import decode_vlq

            decode_vlq(group[0])  # says what is wrong
            raise SourceMapError("malformed mappings")  # not reached: a malformed shape never decodes
        if len(places) not in (1, 4, 5):
            bad.update(dict.fromkeys(group, len(places)))
            continue
        joined = "".join(group).encode("ascii")  # Base64 only: the shape says so
        columns: list[Sequence[int] | None] = []
        for field, place in enumerate(places):
            if field < first_field:
                columns.append(None)
            elif isinstance(place, int):
                columns.append(array("b", joined[place :: len(shape)].translate(ONE_DIGIT)))
            elif place.stop - place.start == 2:
                columns.append(_two_digits(joined, place.start, len(shape)))
            else:
                columns.append(_long_values(joined, place.start, place.stop - place.start, len(shape)))
        groups.append((group, len(places), columns))
    return groups, bad


def _flatten(groups: list[_Group]) -> tuple[list[str], list[list[int]]]:
    """The groups' segments in one list and six columns over it: the five fields (absent ones 0) and the field count."""
    segments: list[str] = []
    fields: list[list[int]] = [[], [], [], [], [], []]
    for group, count, columns in groups:
        segments += group
        for field in range(5):
            fields[field] += columns[field] if field < count else repeat(0, len(group))  # type: ignore[operator]
        fields[5] += repeat(count, len(group))
    return segments, fields


def _pieces(text: str, begin: int, end: int) -> list[str]:
    """The segments of `text[begin:end]` (part of one line), empty ones dropped."""
    pieces = text[begin:end].split(",")
    return list(filter(None, pieces)) if "" in pieces else pieces


def _readable(pieces: list[str]) -> int:
    """How many of the pieces decode before the first that does not."""
    from auditor.parse.sourcemap_rare import decode_vlq

    for number, piece in enumerate(pieces):
        try:
            decode_vlq(piece)
        except SourceMapError:
            return number
    return len(pieces)


def _skip_lines(text: str, start: int, lines: int) -> int:
    """Where the line `lines` after the one starting at `start` begins, or -1 past the end (counted by blocks, not by line)."""
    window = 1 << 16
    while lines > 64:
        stop = min(len(text), start + window)
        inside = text.count(";", start, stop)
        if inside < lines:
            if stop == len(text):
                return -1
            start, lines, window = stop, lines - inside, window * 2
        else:
            window //= 2
    while lines > 0:
        cut = text.find(";", start)
        if cut == -1:
            return -1
        start, lines = cut + 1, lines - 1
    return start


def _add(state: list[int], fields: list[list[int]], rows: list[int]) -> None:
    """Add the source, line, column and name fields of the rows to `state`."""
    for field in range(1, 5):
        state[field - 1] += sum(map(fields[field].__getitem__, rows))


def _line_of(text: str, begin: int, end: int, first_line: int, bad: dict[str, int]) -> int:
    """The line (0-based) of the first bad segment in `text[begin:end]`, which starts at line `first_line`."""
    for number, part in enumerate(text[begin:end].split(";")):
        if any(piece in bad for piece in part.split(",")):
            return first_line + number
    return first_line


def _chunk_end(text: str, position: int, size: int, end: int) -> int:
    """`position + size`, moved on to the next separator (or `end`), so a chunk holds whole segments."""
    stop = position + size
    if stop >= end:
        return end
    cut = SEPARATOR.search(text, stop, end)
    return cut.start() if cut else end


def _strings(value: object, field: str, *, nullable: bool) -> tuple[str | None, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SourceMapError(f"`{field}` is not an array")
    if set(map(type, value)) <= ({str, type(None)} if nullable else {str}):
        return tuple(value)  # the usual case, checked without a Python step per entry
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
        The source, line, column and name fields are relative across lines, so
        everything before a lookup is summed (each distinct segment decoded
        once per stretch, times its count, nothing put in order); on a line
        with lookups, segments are put in order only until one starts past its
        last lookup, and nothing after that is read on the last line with
        lookups. Segments are in column order as every bundler writes them; a
        line whose columns go back before that point is searched whole.
        """
        wanted: dict[int, set[int]] = {}
        for line, column in positions:
            wanted.setdefault(line, set()).add(column)
        found: dict[tuple[int, int], Segment | None] = {(line, column): None for line, columns in wanted.items() for column in columns}
        if not wanted:
            return found
        text = self._mappings
        state = [0, 0, 0, 0]  # source, original line, original column, name
        lines = sorted(wanted)
        start = _skip_lines(text, 0, lines[0])
        summed = summed_line = 0  # the text before `summed` (line `summed_line` on) is added into `state`
        for number, line in enumerate(lines):
            if start < 0:
                break  # the mappings end before this line: nothing there is mapped
            end = text.find(";", start)
            end = len(text) if end == -1 else end
            self._carry(text, summed, start - 1, state, summed_line)
            following = _skip_lines(text, end + 1, lines[number + 1] - line - 1) if number + 1 < len(lines) and end < len(text) else -1
            self._resolve(text, start, end, line, state, sorted(wanted[line]), found, last=following < 0)
            summed, summed_line, start = end + 1, line + 1, following
        return found

    def _carry(self, text: str, begin: int, end: int, state: list[int], first_line: int) -> None:
        """Add the fields of every segment in `text[begin:end]` (no lookup there) to `state`: each distinct segment decoded once, times its count."""
        position = begin
        while position < end:
            stop = _chunk_end(text, position, CARRY_CHUNK, end)
            counts = Counter(text[position:stop].replace(";", ",").split(","))
            counts.pop("", None)
            sums, bad, _ = self._weighted(counts, 1)
            if bad:
                self._bad_segment(_line_of(text, position, stop, first_line + text.count(";", begin, position), bad), bad)
            for field in range(1, 5):
                state[field - 1] += sums[field]
            position = stop + 1

    def _resolve(self, text: str, begin: int, end: int, line: int, state: list[int], columns: list[int], found: dict, *, last: bool) -> None:
        """The covering segment of each sorted column of the line `text[begin:end]`, into `found`; `state` summed past the line.

        Segments are read a chunk at a time and put in order until one starts
        past the last column; a stretch that the characters per column so far
        say ends before the next column is only summed (and put in order after
        all if it does not), as is the rest of the line, which is not read at
        all when no later line has lookups (`last`). On that last line a value
        that does not decode after the last column stays unread.
        """
        origin = list(state)
        highest = columns[-1]
        at = 0  # columns[:at] are resolved
        column = 0  # generated column of the last segment read
        previous: tuple[int, int, tuple[int, ...]] | None = None  # that segment: column, field count, fields
        position, size = begin, FIRST_CHUNK
        while True:
            reach = (columns[at] - column) * (position - begin) / column if column > 0 else 0  # characters to the next column
            stop = _chunk_end(text, position, int(min(CARRY_CHUNK, reach * SKIP_SHARE)), end) if reach > SKIP_MIN else end
            if stop < end:  # a stretch short of the next column, not the line's end: summed if it is
                pieces = _pieces(text, position, stop)
                skipped = self._skip(pieces, column, columns[at], line, state, last=last)
                if skipped is not None:
                    position = stop + 1
                    if skipped[1] is not None:  # its last segment is the one read last
                        column += skipped[0]
                        previous = (column, skipped[1], tuple(state))
                    continue
            else:
                size = int(min(CARRY_CHUNK, max(FIRST_CHUNK, reach * 1.25))) if column > 0 else size  # to the next column, and a quarter more
                stop = _chunk_end(text, position, size, end)
                pieces = _pieces(text, position, stop)
            final, position = stop >= end, stop + 1
            error = None
            try:
                groups, bad = _decode(list(dict.fromkeys(pieces)))
            except SourceMapError as problem:
                if not last:
                    raise
                error, final = problem, False  # read up to the bad value; needing more raises
                pieces = pieces[: _readable(pieces)]
                groups, bad = _decode(list(dict.fromkeys(pieces)))
            fields, order = self._in_order(pieces, groups, bad, line)
            deltas = list(map(fields[0].__getitem__, order))
            generated = list(accumulate(deltas, initial=column))
            del generated[0]
            limit = len(generated)
            lowest = 1 if previous is None else 0  # the line's first delta is its first column, not a step back
            if min(deltas[lowest:], default=0) < 0:
                back = next(n for n in range(lowest, len(deltas)) if deltas[n] < 0)
                if bisect.bisect_right(generated, highest, 0, back) == back:  # it goes back before passing the last column
                    if error is not None:
                        raise error
                    state[:] = origin
                    self._search_whole(text, begin, end, line, state, columns, found)
                    return
                limit = back  # already past the last column: what follows does not matter
            done = 0  # order[:done] is added into `state`
            while at < len(columns):
                wanted_column = columns[at]
                covering = bisect.bisect_right(generated, wanted_column, 0, limit) - 1
                if covering == limit - 1 and not final and limit == len(generated):
                    break  # the next chunk may start at or before this column
                if covering >= 0:
                    if covering >= done:
                        _add(state, fields, order[done : covering + 1])
                        done = covering + 1
                    self._found(found, line, wanted_column, generated[covering], fields[5][order[covering]], state)
                elif previous is not None:
                    self._found(found, line, wanted_column, *previous)
                at += 1
            if error is not None:
                if at < len(columns):
                    raise error
                return
            if at == len(columns) and last:
                return
            _add(state, fields, order[done:])
            if at == len(columns):
                self._carry(text, position, end, state, line)
                return
            if order:
                column = generated[-1]
                previous = (column, fields[5][order[-1]], tuple(state))
            size = min(CARRY_CHUNK, size * 4)  # while no column is known yet

    def _skip(self, pieces: list[str], column: int, before: int, line: int, state: list[int], *, last: bool) -> tuple[int, int | None] | None:
        """Sum a stretch of a line (from `column` on) that should end at or before column `before`. If it does, in
        column order: its fields added to `state`, and its column delta and last segment's field count (None if it
        has no segment); else None, nothing added."""
        counts = Counter(pieces)
        try:
            sums, bad, back = self._weighted(counts, 0)
        except SourceMapError:
            if not last:
                raise
            return None  # put in order, to read up to the bad value
        if back or column + sums[0] > before:
            return None
        if bad:
            self._bad_segment(line, bad)
        for field in range(1, 5):
            state[field - 1] += sums[field]
        final = next((p for p in reversed(pieces) if p not in bad), None)
        return sums[0], None if final is None else len(_places(final.translate(SHAPE)) or ())

    def _weighted(self, counts: Counter, first_field: int) -> tuple[list[int], dict[str, int], bool]:
        """The fields (from `first_field` on) of distinct segments times their counts, summed; the bad segments; whether a column delta is below 0."""
        groups, bad = _decode(list(counts), first_field=first_field)
        sums, back = [0, 0, 0, 0, 0], False
        for group, count, columns in groups:
            weights = list(map(counts.__getitem__, group))
            for field in range(first_field, count):
                sums[field] += sum(map(mul, columns[field], weights))  # type: ignore[arg-type]
            back = back or (first_field == 0 and min(columns[0]) < 0)  # type: ignore[type-var]
        return sums, bad, back

    def _search_whole(self, text: str, begin: int, end: int, line: int, state: list[int], columns: list[int], found: dict) -> None:
        """A line whose columns go back: for each column the segment with the greatest column at or before it (the later of equals)."""
        best: dict[int, tuple[int, int, int, tuple[int, ...]]] = {}  # column → (generated column, segment number, field count, fields)
        column, seen, position = 0, 0, begin
        while position <= end:
            stop = _chunk_end(text, position, CARRY_CHUNK, end)
            pieces = _pieces(text, position, stop)
            position = stop + 1
            groups, bad = _decode(list(dict.fromkeys(pieces)))
            fields, order = self._in_order(pieces, groups, bad, line)
            generated = list(accumulate(map(fields[0].__getitem__, order), initial=column))
            del generated[0]
            ranked = sorted(zip(generated, range(len(generated)), strict=True))
            for wanted_column in columns:
                at = bisect.bisect_right(ranked, (wanted_column, len(ranked))) - 1
                if at < 0:
                    continue
                segment_column, index = ranked[at]
                if wanted_column in best and best[wanted_column][:2] > (segment_column, seen + index):
                    continue
                sums = list(state)
                _add(sums, fields, order[: index + 1])
                best[wanted_column] = (segment_column, seen + index, fields[5][order[index]], tuple(sums))
            _add(state, fields, order)
            if generated:
                column = generated[-1]
            seen += len(order)
        for wanted_column, (segment_column, _, count, sums) in best.items():
            self._found(found, line, wanted_column, segment_column, count, sums)

    def _in_order(self, pieces: list[str], groups: list[_Group], bad: dict[str, int], line: int) -> tuple[list[list[int]], list[int]]:
        """The decoded groups' field columns, and the row of each piece (bad ones reported and left out) in line order."""
        if bad:
            self._bad_segment(line, bad)
            pieces = [p for p in pieces if p not in bad]
        segments, fields = _flatten(groups)
        number = dict(zip(segments, range(len(segments)), strict=True))
        return fields, list(map(number.__getitem__, pieces))

    def _found(self, found: dict, line: int, column: int, segment_column: int, count: int, fields: Sequence[int]) -> None:
        """Record what the segment at `segment_column` (with `count` fields, summed `fields`) maps `column` to, if anything."""
        if count == 1:
            return
        source, orig_line, orig_column, name = fields
        if segment_column < 0 or orig_line < 0 or orig_column < 0 or not 0 <= source < len(self.sources):
            self._problem(f"line {line + 1}: a segment points outside the map (source {source}, line {orig_line}, column {orig_column})")
            return
        found[(line, column)] = Segment(self, source, orig_line, orig_column, name if count == 5 and 0 <= name < len(self.names) else None, line, segment_column)

    def _bad_segment(self, line: int, bad: dict[str, int]) -> None:
        self._problem(f"line {line + 1}: a segment has {next(iter(bad.values()))} fields (1, 4 or 5 expected)")

    def _problem(self, message: str) -> None:
        if len(self.problems) < 10:
            self.problems.append(message)


if TYPE_CHECKING:
    from auditor.parse.sourcemap_rare import IndexMap

    SourceMap = RegularMap | IndexMap

# What most audits never need lives in sourcemap_rare (index maps, data: URLs, the one-value decoder used to name an
# error): a mapped run compiles and imports only this module; the names are still importable from here.
RARE = frozenset({"IndexMap", "decode_data_url", "decode_vlq", "SourceMap"})


def __getattr__(name: str) -> object:
    if name not in RARE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from auditor.parse import sourcemap_rare

    return getattr(sourcemap_rare, name)


def parse_map(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_MAP_BYTES) -> SourceMap:
    """A regular or index map from its JSON text (the `)]}'` anti-XSSI first line allowed)."""
    if len(data) > max_bytes:
        raise SourceMapError(f"the map is {len(data)} bytes, over the {max_bytes}-byte limit")
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    data = data.removeprefix("\ufeff")  # as the audit's own text decoding does (and browsers' JSON of a fetched map)
    if data.startswith(XSSI_PREFIX):
        data = data.split("\n", 1)[1] if "\n" in data else ""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise SourceMapError(f"not JSON: {error}") from None
    return map_from_json(value)


def map_from_json(value: object) -> SourceMap:
    """A regular or index map from its parsed JSON (the audit may have parsed the file already)."""
    if not isinstance(value, dict):
        raise SourceMapError("not a JSON object")
    if value.get("version") != 3:
        raise SourceMapError(f"`version` is {value.get('version')!r}, not 3")
    if "sections" in value:
        from auditor.parse.sourcemap_rare import IndexMap

        return IndexMap(value)
    return RegularMap(value)


def map_url_of(text: str, *, css: bool) -> str | None:
    """The last `sourceMappingURL` comment of a script or style sheet, or None."""
    tail = text[-URL_COMMENT_TAIL:]
    matches = (CSS_URL_COMMENT if css else JS_URL_COMMENT).findall(tail)
    return matches[-1] if matches else None


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
