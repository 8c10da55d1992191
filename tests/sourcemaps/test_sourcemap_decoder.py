"""The source map decoder (auditor/parse/sourcemap.py) on hand-made maps: the format's corners and bad input."""

from __future__ import annotations

import base64
import json
import random
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sourcemap_builder import mappings, source_map, vlq
from sourcemap_reference import fast, reference, reference_index

from auditor.parse import sourcemap
from auditor.parse.sourcemap import (
    BASE64,
    IndexMap,
    RegularMap,
    SourceMapError,
    cp_to_utf16,
    decode_data_url,
    decode_vlq,
    map_url_of,
    parse_map,
    utf16_to_cp,
)


def found(smap, line, column):
    segment = smap.lookup_many([(line, column)])[(line, column)]
    return None if segment is None else (segment.source, segment.line, segment.column, segment.name)


def test_vlq_known_values():
    assert decode_vlq("AAAA") == (0, 0, 0, 0)
    assert decode_vlq("2HwcrxB") == (123, 456, -789)
    assert decode_vlq("D") == (-1,)
    assert decode_vlq("gB") == (16,)


@given(st.lists(st.integers(min_value=-(2**30), max_value=2**30), min_size=1, max_size=6))
def test_vlq_round_trip(values):
    assert decode_vlq("".join(vlq(v) for v in values)) == tuple(values)


@pytest.mark.parametrize(("text", "reason"), [("AA!A", "invalid character"), ("g", "cut off"), ("gggggggggB", "32 bits")])
def test_bad_vlq_is_a_source_map_error(text, reason):
    with pytest.raises(SourceMapError, match=reason):
        decode_vlq(text)


def test_lookup_is_the_greatest_lower_bound_on_the_same_line():
    smap = parse_map(json.dumps(source_map([[(0, 0, 2, 4), (10, 0, 5, 0)], [(3,)]], ["a.ts"])))
    assert found(smap, 0, 0) == ("a.ts", 2, 4, None)
    assert found(smap, 0, 9) == ("a.ts", 2, 4, None)
    assert found(smap, 0, 10) == ("a.ts", 5, 0, None)
    assert found(smap, 0, 400) == ("a.ts", 5, 0, None)
    assert found(smap, 1, 5) is None  # a 1-field segment: generated code with no original
    assert found(smap, 1, 1) is None  # before the line's first segment
    assert found(smap, 7, 0) is None  # past the last line


def test_fields_other_than_the_column_carry_across_lines():
    data = source_map([[(0, 1, 10, 2)], [(4, 1, 11, 6, 0)], [(2, 0, 1, 1)]], ["a.ts", "b.ts"], names=["send"])
    smap = parse_map(json.dumps(data))
    assert found(smap, 1, 4) == ("b.ts", 11, 6, "send")
    assert found(smap, 2, 2) == ("a.ts", 1, 1, None)


def test_one_pass_answers_many_lookups():
    smap = parse_map(json.dumps(source_map([[(0, 0, 0, 0), (5, 0, 0, 9)], [(0, 0, 3, 0)]], ["a.ts"])))
    got = smap.lookup_many([(0, 1), (0, 6), (1, 0), (0, 1)])
    assert {k: (v.line, v.column) for k, v in got.items()} == {(0, 1): (0, 0), (0, 6): (0, 9), (1, 0): (3, 0)}


@pytest.mark.parametrize(("root", "expected"), [("src", "src/a.ts"), ("src/", "src/a.ts"), ("webpack://app/", "webpack://app/a.ts"), ("", "a.ts")])
def test_source_root_is_joined_with_one_slash(root, expected):
    smap = parse_map(json.dumps(source_map([[(0, 0, 0, 0)]], ["a.ts"], root=root)))
    assert found(smap, 0, 0)[0] == expected


def test_ignore_list_marks_vendored_sources_and_drops_nonsense_entries():
    data = source_map([[(0, 0, 0, 0), (5, 1, 0, 0)]], ["app.ts", "node_modules/lib.js"], ignore=[1, 7, -1, "0", True])
    smap = parse_map(json.dumps(data))
    assert smap.ignored == frozenset({1})
    got = smap.lookup_many([(0, 0), (0, 6)])
    assert (got[(0, 0)].ignored, got[(0, 6)].ignored) == (False, True)
    legacy = dict(data, x_google_ignoreList=[0])
    del legacy["ignoreList"]
    assert parse_map(json.dumps(legacy)).ignored == frozenset({0})


def test_sources_content_is_per_source_and_may_be_null():
    smap = parse_map(json.dumps(source_map([[(0, 0, 0, 0)]], ["a.ts", "b.ts"], contents=[None, "x"])))
    assert (smap.content(0), smap.content(1), smap.content(2)) == (None, "x", None)


def test_index_map_sections_with_offsets():
    first = source_map([[(0, 0, 0, 0)]], ["one.ts"])
    second = source_map([[(0, 0, 4, 2), (6, 0, 9, 0)], [(1, 0, 20, 0)]], ["two.ts"], names=["n"])
    data = {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": first}, {"offset": {"line": 0, "column": 100}, "map": second}]}
    smap = parse_map(json.dumps(data))
    assert isinstance(smap, IndexMap)
    assert found(smap, 0, 50) == ("one.ts", 0, 0, None)
    assert found(smap, 0, 100) == ("two.ts", 4, 2, None)
    assert found(smap, 0, 106) == ("two.ts", 9, 0, None)
    assert found(smap, 1, 1) == ("two.ts", 20, 0, None)  # the column offset applies to the first line only
    segment = smap.lookup_many([(0, 107)])[(0, 107)]
    assert (segment.generated_line, segment.generated_column) == (0, 106)  # back in the index map's coordinates


@pytest.mark.parametrize(
    ("sections", "reason"),
    [
        ([{"offset": {"line": 1, "column": 0}, "map": {"version": 3, "mappings": ""}}, {"offset": {"line": 0, "column": 0}, "map": {"version": 3, "mappings": ""}}], "not in order"),
        ([{"offset": {"line": 0, "column": 0}, "map": {"version": 3, "sections": []}}], "cannot nest"),
        ([{"offset": {"line": 0, "column": 0}, "url": "other.map"}], "not supported"),
        ([{"offset": {"line": -1, "column": 0}, "map": {"version": 3, "mappings": ""}}], "non-negative"),
        ("nope", "not an array"),
    ],
)
def test_bad_index_maps(sections, reason):
    with pytest.raises(SourceMapError, match=reason):
        parse_map(json.dumps({"version": 3, "sections": sections}))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("{", "not JSON"), ("[]", "not a JSON object"), ('{"version": 2, "mappings": ""}', "not 3"), ('{"version": 3}', "`mappings`"), ('{"version": 3, "mappings": "", "sources": 4}', "`sources`")],
)
def test_bad_maps_are_errors_not_exceptions(text, reason):
    with pytest.raises(SourceMapError, match=reason):
        parse_map(text)


def test_out_of_range_segments_are_skipped_with_a_problem():
    data = {"version": 3, "sources": ["a.ts"], "names": [], "mappings": mappings([[(0, 3, 0, 0)], [(0, 0, 1, 1, 9)]])}
    smap = parse_map(json.dumps(data))
    assert found(smap, 0, 0) is None
    assert smap.problems and "outside the map" in smap.problems[0]
    assert found(smap, 1, 0) == ("a.ts", 1, 1, None)  # a name index out of range only loses the name


def test_a_two_field_segment_is_skipped():
    smap = parse_map(json.dumps({"version": 3, "sources": ["a.ts"], "mappings": "AA"}))
    assert found(smap, 0, 0) is None
    assert "2 fields" in smap.problems[0]


def test_invalid_vlq_surfaces_at_lookup_only():
    smap = parse_map(json.dumps({"version": 3, "sources": ["a.ts"], "mappings": "AAAA;**"}))
    assert isinstance(smap, RegularMap)
    assert found(smap, 0, 0) == ("a.ts", 0, 0, None)  # the lookup stops before the bad line
    with pytest.raises(SourceMapError):
        smap.lookup_many([(1, 0)])


def test_size_limit_is_checked_before_parsing():
    with pytest.raises(SourceMapError, match="over the 100-byte limit"):
        parse_map(json.dumps({"version": 3, "sources": [], "mappings": "A" * 200}), max_bytes=100)


def test_huge_mappings_after_the_wanted_line_are_never_decoded():
    smap = parse_map(json.dumps({"version": 3, "sources": ["a.ts"], "mappings": "AAAA;" + "!" * 5_000_000}))
    assert found(smap, 0, 3) == ("a.ts", 0, 0, None)


def test_anti_xssi_prefix_is_skipped():
    text = ")]}'\n" + json.dumps(source_map([[(0, 0, 0, 0)]], ["a.ts"]))
    assert found(parse_map(text), 0, 0)[0] == "a.ts"


def test_source_mapping_url_comments():
    assert map_url_of("a();\n//# sourceMappingURL=app.js.map\n", css=False) == "app.js.map"
    assert map_url_of("a();\n//@ sourceMappingURL=old.map", css=False) == "old.map"
    assert map_url_of("//# sourceMappingURL=first.map\nb();\n//# sourceMappingURL=last.map\n", css=False) == "last.map"
    assert map_url_of('x = "//# sourceMappingURL=fake.map";\n', css=False) is None
    assert map_url_of("a{color:red}\n/*# sourceMappingURL=style.css.map */\n", css=True) == "style.css.map"
    assert map_url_of("a{color:red}\n//# sourceMappingURL=style.css.map\n", css=True) is None


def test_data_urls():
    payload = json.dumps(source_map([[(0, 0, 0, 0)]], ["a.ts"]))
    b64 = "data:application/json;charset=utf-8;base64," + base64.b64encode(payload.encode()).decode()
    assert json.loads(decode_data_url(b64)) == json.loads(payload)
    assert json.loads(decode_data_url("data:application/json," + payload.replace(" ", "%20"))) == json.loads(payload)
    with pytest.raises(SourceMapError, match="text/html"):
        decode_data_url("data:text/html,<b>")
    with pytest.raises(SourceMapError, match="limit"):
        decode_data_url("data:application/json;base64," + "A" * 1000, max_bytes=100)


def test_utf16_columns_differ_from_code_points_only_after_astral_characters():
    line = "a🔥b é c"
    assert cp_to_utf16(line, 2) == 3  # after the emoji, one code point is two UTF-16 units
    assert utf16_to_cp(line, 3) == 2
    assert cp_to_utf16("é x", 2) == 2
    assert utf16_to_cp("é x", 2) == 2
    assert utf16_to_cp(line, 99) == len(line)


def test_a_line_whose_columns_go_back_is_searched_whole():
    smap = parse_map(json.dumps({"version": 3, "sources": ["a.ts"], "names": [], "mappings": "UAAU,PAAC,KAAC"}))  # columns 10, 3, 8
    got = smap.lookup_many([(0, 5), (0, 9), (0, 12)])
    assert {k: v.column for k, v in got.items()} == {(0, 5): 11, (0, 9): 12, (0, 12): 10}  # segments at columns 3, 8 and 10


def test_decoding_stops_after_the_last_lookup():
    smap = parse_map(json.dumps({"version": 3, "sources": ["a.ts"], "mappings": "AAAA,CAAC,!!!!"}))
    assert found(smap, 0, 0) == ("a.ts", 0, 0, None)
    with pytest.raises(SourceMapError):
        smap.lookup_many([(0, 5)])


# -- the fast decoder against the straightforward one (tests/sourcemap_reference.py) -------------------------------


@contextmanager
def chunks(first: int, carry: int, skip: int, share: float):
    """Read lines with lookups from `first` characters on, other text `carry` at a time, and only sum stretches of
    `skip` characters or more before a line's next lookup, `share` of them at a time (tiny sizes cross every chunk
    edge; a share over 1 often sums past the column and must read the stretch again)."""
    names = ("FIRST_CHUNK", "CARRY_CHUNK", "SKIP_MIN", "SKIP_SHARE")
    saved = [getattr(sourcemap, name) for name in names]
    for name, value in zip(names, (first, carry, skip, share), strict=True):
        setattr(sourcemap, name, value)
    try:
        yield
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(sourcemap, name, value)


CHUNKS = [(4096, 1 << 20, 8192, 0.8), (1, 1, 0, 0.8), (3, 7, 1, 2.0), (16, 40, 4, 0.5)]


def agree(data: dict, positions, chunk_sizes=CHUNKS[0]):
    """The fast answers (or SourceMapError) equal the reference's; both returned for further checks."""
    try:
        expected = reference_index(data, positions) if "sections" in data else reference(data, positions)
    except SourceMapError:
        expected = "SourceMapError"
    with chunks(*chunk_sizes):
        try:
            got = fast(parse_map(json.dumps(data)), positions)
        except SourceMapError:
            got = "SourceMapError"
    assert got == expected
    return got


small = st.integers(-3, 3) | st.integers(-3000, 3000) | st.integers(-(2**30), 2**30)
step = st.integers(0, 40) | st.integers(0, 70000) | st.integers(-20, -1)
segment = st.one_of(
    st.tuples(step, small, small, small),
    st.tuples(step, small, small, small, small),
    st.tuples(step),
    st.lists(small, min_size=2, max_size=3).map(tuple) | st.lists(small, min_size=6, max_size=7).map(tuple),  # bad field counts
)


@st.composite
def maps(draw):
    lines = draw(st.lists(st.lists(segment, max_size=12), max_size=10))
    text = ";".join(",".join("".join(vlq(v) for v in s) for s in line) for line in lines)
    if text and draw(st.booleans()):  # bad text somewhere: a character outside Base64, a cut-off value, a value over 32 bits
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["!", "=", "g", "ggggggggB", ",g", "é"])) + text[at:]
    data = {"version": 3, "sources": [f"s{n}.ts" for n in range(draw(st.integers(0, 4)))], "names": [f"n{n}" for n in range(draw(st.integers(0, 3)))], "mappings": text}
    columns = sorted({sum(s[0] for s in line[: n + 1]) for line in lines for n in range(len(line))} | {0})
    near = st.sampled_from(columns).flatmap(lambda c: st.integers(max(0, c - 2), max(0, c + 2)))
    positions = draw(st.lists(st.tuples(st.integers(0, len(lines) + 1), near | st.integers(0, 100)), max_size=8))
    return data, positions


@given(maps(), st.sampled_from(CHUNKS))
def test_fast_lookups_agree_with_the_straightforward_decode(case, chunk_sizes):
    data, positions = case
    agree(data, positions, chunk_sizes)


@pytest.mark.parametrize("chunk_sizes", CHUNKS)
def test_hand_made_maps_agree_with_the_straightforward_decode(chunk_sizes):
    def regular(lines, **extra):
        return {"version": 3, "sources": ["a.ts", "b.ts", None], "names": ["x", "y"], "mappings": lines, **extra}

    many = [(c * 3, c % 3 - 1, c % 5, c % 7 - 2, c % 4 - 1) if c % 4 else (c * 3, 0, 1, 0) for c in range(1, 60)]
    body = mappings([many, [(0,)], [], many])
    cases = [
        (regular(body), [(0, 0), (0, 40), (0, 41), (0, 500), (1, 0), (2, 3), (3, 93), (3, 177), (9, 0)]),
        (regular(body, sourceRoot="src", ignoreList=[1, 5]), [(0, 40), (3, 12), (3, 130)]),
        (regular(body, x_google_ignoreList=[0]), [(0, 40), (3, 12)]),
        (regular("AAAA,CAAC,DAAD;;AAAA"), [(0, 0), (0, 1), (0, 2), (2, 0)]),  # the third segment steps back to column 0
        (regular("UAAU,PAAC,KAAC"), [(0, 5), (0, 9), (0, 12)]),  # columns 10, 3, 8
        (regular("AAAA,UAAC,PAAC"), [(0, 4)]),  # past the last lookup (column 10) before the step back: the step back is not read
        (regular("AAAA,CAAC,!!!!"), [(0, 0)]),
        (regular("AAAA,CAAC,!!!!"), [(0, 1)]),
        (regular("AAAA;CAAC,!!!!;AAAA"), [(0, 0), (2, 0)]),  # bad text on a line read whole
        (regular("AAAA,CGAC,CAAC"), [(0, 1), (0, 2)]),  # source 3: outside the map
        (regular("AAAA,CAAAA,CAAAC,CAAAB"), [(0, 1), (0, 2), (0, 3)]),  # names 0, 1, then 2 (outside: no name)
        (regular("AAAA,CA,CAAC"), [(0, 1), (0, 2)]),  # a 2-field segment is no segment
        (regular("D,AAAA,CAAC"), [(0, 0), (0, 1)]),  # a first column below 0
        (regular("gvBAAg7W,gBAAC"), [(0, 1000), (0, 1020)]),  # multi-digit values
        (regular(";" * 5000 + "AAAA,CAAC" + ";AAAA" * 300), [(5000, 1), (5299, 0), (5300, 0), (9999, 0)]),  # many lines skipped by blocks
        ({"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": regular(body)}, {"offset": {"line": 3, "column": 50}, "map": regular(body, sourceRoot="lib/")}]}, [(0, 40), (3, 10), (3, 60), (3, 143), (4, 3), (5, 0)]),
    ]
    for data, positions in cases:
        agree(data, positions, chunk_sizes)


def test_long_values_of_every_length_decode_as_the_straightforward_decoder_does():
    # three to seven digits, as the group decode reads them (records of one integer), against decode_vlq one by one:
    # the largest of each length, -0 (`B` with zero digits after it), digits past the value's top bits
    rng = random.Random(7)
    for digits in range(3, 8):
        values = ["".join(rng.choice(BASE64[32:]) for _ in range(digits - 1)) + rng.choice(BASE64[:32]) for _ in range(300)]
        values += ["/" * (digits - 1) + "f", "/" * (digits - 1) + "e", "h" + "g" * (digits - 2) + "A", "g" * (digits - 1) + "A"]
        segments = ["C" + value + "AA" for value in values]
        got = sourcemap._long_values("".join(segments).encode(), 1, digits, digits + 3)
        assert got == [decode_vlq(value)[0] for value in values]


def test_lookups_agree_with_many_long_values():
    lines = [[(c * 40, 0, c * 37, c * 1031 - 90000, c % 2) for c in range(200)], [(5, 0, -(2**30), 2**30 - 1)]]
    got = agree({"version": 3, "sources": ["a.ts"], "names": ["x", "y"], "mappings": mappings(lines)}, [(0, 39), (0, 4000), (0, 7999), (1, 5)])
    assert got[(0, 7999)][2:4] == (199 * 37, 199 * 1031 - 90000)


@pytest.mark.parametrize("share", [0.3, 0.5, 0.8, 1.0])
def test_a_summed_stretch_ending_in_a_bad_segment_leaves_the_last_good_one_covering(share):
    """Somewhere in the sweep a stretch that is only summed ends with a 2-field segment: the next lookup falls back to
    the segment before it, a 1-field one (so it maps to nothing)."""
    for fillers in range(1, 40):
        text = "AAAA," + ",".join(["CAAC"] * fillers) + ",C,CA,8BAAC"  # columns 0..fillers + 1 (the last unmapped), a 2-field segment, then fillers + 31
        for first, carry, _, _ in CHUNKS:
            agree({"version": 3, "sources": ["a.ts"], "names": [], "mappings": text}, [(0, 1), (0, fillers + 10)], (first, carry, 0, share))


def test_a_byte_order_mark_before_the_map_is_skipped():
    # as the audit's own decoding of a text resource (and so the JSON it shares) skips it
    text = "\ufeff" + json.dumps(source_map([[(0, 0, 0, 0)]], ["a.ts"]))
    assert found(parse_map(text.encode("utf-8")), 0, 0)[0] == "a.ts"
