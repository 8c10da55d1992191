"""The straightforward decode of source map `mappings` that the fast decoder must agree with.

Every segment is decoded in order with `decode_vlq`, one at a time, and the
rules of `RegularMap.lookup_many` are applied as a person reads them:

- a segment of 2, 3 or 6+ fields is no segment (none of its deltas apply);
- on a line with lookups, segments are read until the first that starts past
  the line's last lookup; if before that a segment's column goes back (its
  delta is negative, and it is not the line's first), the whole line is read
  and each lookup takes the segment with the greatest column at or before it
  (the later of equals), else the last segment read at or before it;
- nothing after that first segment past the last lookup is read on the last
  line with lookups (so bad text there is no error); every earlier line is
  read whole; a lookup past the last line is unmapped and reads nothing;
- a 1-field segment, or one pointing outside the map (column, line or column
  below 0, source not in `sources`), maps to nothing; a name is kept only for
  a 5-field segment whose index is in `names`.
"""

from __future__ import annotations

from auditor.parse.sourcemap import decode_vlq

Result = tuple[str | None, int, int, int | None, int, int, bool] | None  # source, index, line, column, name, generated column, ignored


def reference(data: dict, positions) -> dict[tuple[int, int], Result]:
    """What a lookup of each generated (line, column) of a regular map must give; raises SourceMapError where it must."""
    sources = [s if isinstance(s, str) else None for s in data.get("sources") or []]
    names = data.get("names") or []
    root = data.get("sourceRoot") if isinstance(data.get("sourceRoot"), str) else None
    ignore = data.get("ignoreList", data.get("x_google_ignoreList"))
    ignored = {i for i in ignore if type(i) is int and 0 <= i < len(sources)} if isinstance(ignore, list) else set()
    wanted: dict[int, set[int]] = {}
    for line, column in positions:
        wanted.setdefault(line, set()).add(column)
    out: dict[tuple[int, int], Result] = {(line, column): None for line, columns in wanted.items() for column in columns}
    lines = data["mappings"].split(";")
    wanted = {line: columns for line, columns in wanted.items() if line < len(lines)}  # past the last line: nothing to read
    if not wanted:
        return out
    last = max(wanted)
    state = [0, 0, 0, 0]
    for number, text in enumerate(lines):
        if number > last:
            break
        columns = sorted(wanted.get(number, ()))
        segments: list[tuple[int, int, tuple[int, ...]]] = []  # column, field count, fields after it
        column, mode, prefix = 0, None, None
        for piece in filter(None, text.split(",")):
            fields = decode_vlq(piece)
            if len(fields) not in (1, 4, 5):
                continue
            if columns and mode is None and segments and fields[0] < 0:
                mode = "unsorted"
            column += fields[0]
            for field, delta in enumerate(fields[1:]):
                state[field] += delta
            segments.append((column, len(fields), tuple(state)))
            if columns and mode is None and column > columns[-1]:
                mode, prefix = "sorted", len(segments)
                if number == last:
                    break
        for wanted_column in columns:
            if mode == "unsorted":
                below = [(c, i) for i, (c, _, _) in enumerate(segments) if c <= wanted_column]
                at = max(below)[1] if below else None
            else:
                below = [i for i, (c, _, _) in enumerate(segments[:prefix]) if c <= wanted_column]
                at = below[-1] if below else None
            if at is None:
                continue
            segment_column, count, (source, line, col, name) = segments[at]
            if count == 1 or segment_column < 0 or line < 0 or col < 0 or not 0 <= source < len(sources):
                continue
            shown = sources[source]
            if shown is not None and root:
                shown = root + ("" if root.endswith("/") else "/") + shown
            out[(number, wanted_column)] = (shown, source, line, col, name if count == 5 and 0 <= name < len(names) else None, segment_column, source in ignored)
    return out


def reference_index(data: dict, positions) -> dict[tuple[int, int], Result]:
    """The same for an index map: each position looked up in the section it falls in, then moved back to the map's coordinates."""
    sections = [(s["offset"]["line"], s["offset"]["column"], s["map"]) for s in data["sections"]]
    out: dict[tuple[int, int], Result] = {}
    for line, column in positions:
        out[(line, column)] = None
        inside = [n for n, (at_line, at_column, _) in enumerate(sections) if (at_line, at_column) <= (line, column)]
        if not inside:
            continue
        off_line, off_column, inner = sections[inside[-1]]
        local = (line - off_line, column - off_column if line == off_line else column)
        got = reference(inner, [local])[local]
        if got is not None:
            *place, segment_column, ignored = got
            out[(line, column)] = (*place, segment_column + (off_column if local[0] == 0 else 0), ignored)
    return out


def fast(smap, positions) -> dict[tuple[int, int], Result]:
    """The decoder's answers in the reference's terms."""
    got = smap.lookup_many(positions)
    return {k: None if s is None else (s.source, s.source_index, s.line, s.column, s.name_index, s.generated_column, s.ignored) for k, s in got.items()}
