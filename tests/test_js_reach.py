"""How far above a word's occurrence a query run starts: tight where a predicate pins the word, the nesting bound otherwise."""

from __future__ import annotations

from auditor.engine.model import Resource
from auditor.parse.js import JsTree, matches
from auditor.parse.js_reach import heights, nesting

CALL = """(call_expression function: [(identifier) @api (member_expression property: (property_identifier) @api)]
  arguments: (arguments . (_) @arg) (#any-of? @api "fetch" "sendBeacon")) @use"""
LOOSE = CALL + "\n(call_expression function: (parenthesized_expression (sequence_expression) @seq)) @indirect"


def test_a_word_pinned_by_an_exact_predicate_starts_at_its_capture_depth():
    # @api is the callee (level 2) or the property of a member callee (level 3); nesting would say 5
    assert nesting(CALL) + 1 == 5
    assert heights(CALL, (b"fetch", b"sendBeacon")) == (3, 3)


def test_a_word_inside_a_longer_literal_is_pinned_too():
    query = '(call_expression function: (member_expression property: (property_identifier) @m) (#any-of? @m "setHTMLUnsafe" "write"))'
    assert heights(query, (b"HTMLUnsafe", b"write")) == (3, 3)


def test_a_pattern_without_a_covering_predicate_keeps_the_nesting_bound():
    # the loose pattern nests 3 deep: its matches may hold either word, within 4 levels
    assert heights(LOOSE, (b"fetch", b"sendBeacon")) == (4, 4)
    # a literal holding no word does not cover: `open` matches need no word
    uncovered = '(call_expression function: (identifier) @f (#any-of? @f "fetch" "open"))'
    assert heights(uncovered, (b"fetch",)) == (nesting(uncovered) + 1,)
    quantified = '(call_expression function: (identifier)? @f (#eq? @f "fetch"))'
    assert heights(quantified, (b"fetch",)) == (nesting(quantified) + 1,)


def test_a_word_no_covering_predicate_names_is_not_searched_when_every_pattern_is_pinned():
    assert heights(CALL, (b"fetch", b"sendBeacon", b"unused")) == (3, 3, 0)


def test_tight_starts_find_what_whole_tree_queries_find_on_nested_calls():
    source = b'a.fetch(fetch(x), y);sendBeacon(b.fetch(1)(2));((0,fetch))(z);' * 50
    tree = JsTree(Resource(path="/a.js"), source)
    whole = [(p, sorted((n, c[0].start_byte) for n, c in caps.items())) for p, caps in matches(tree, CALL)]
    ranged = [(p, sorted((n, c[0].start_byte) for n, c in caps.items())) for p, caps in matches(tree, CALL, (b"fetch", b"sendBeacon"))]
    assert whole and ranged == whole


def test_capture_kinds_are_read_from_the_pattern_alternations_included():
    from auditor.parse.js_reach import patterns

    (pattern,) = patterns(CALL)
    assert pattern.kinds["api"] == {"identifier", "property_identifier"}
    assert pattern.kinds["arg"] is None  # `(_)`: any kind
    assert pattern.kinds["use"] == {"call_expression"}


def test_candidates_name_every_literal_holding_the_word_and_none_when_a_pattern_is_loose():
    from auditor.parse.js_reach import candidates

    query = '(member_expression property: (property_identifier) @p (#any-of? @p "text" "textContent"))'
    assert candidates(query, (b"text",)) == (((b"text", 0, frozenset({"property_identifier"})), (b"textContent", 0, frozenset({"property_identifier"}))),)
    assert candidates(LOOSE, (b"fetch", b"sendBeacon")) == (None, None)


def test_an_occurrence_no_covered_capture_can_hold_is_skipped():
    from auditor.parse.js_reach import candidates, fits

    query = '(member_expression property: (property_identifier) @p (#any-of? @p "text" "textContent")) @m'
    source = b'a.text; b.textContent; c.context; d("text"); e.texts;'
    tree = JsTree(Resource(path="/a.js"), source)
    (places,) = candidates(query, (b"text",))
    kept = []
    for start in [i for i in range(len(source)) if source.startswith(b"text", i)]:
        node = tree.root.descendant_for_byte_range(start, start + 4)
        kept.append(fits(tree.root, node, source, start, start + 4, places))
    # a.text and b.textContent can be the property; "context", the string "text" and "texts" cannot
    assert kept == [True, True, False, False, False]
    found = [tree.text(c["p"][0]) for _, c in matches(tree, query, (b"text",))]
    assert found == ["text", "textContent"] == [tree.text(c["p"][0]) for _, c in matches(tree, query)]
