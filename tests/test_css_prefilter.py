"""The CSS prefilter never skips a stylesheet in which tinycss2 finds an `@import` or `@font-face` at-keyword."""

from __future__ import annotations

import pytest
import tinycss2
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.parse.css import READ_AT_RULES, may_name_a_read_rule


def read_at_keywords(tokens) -> list[str]:
    """Every at-keyword tinycss2 tokenises, nested blocks and functions included, lower-cased as rules compare them."""
    found = []
    for token in tokens:
        if token.type == "at-keyword" and token.lower_value in READ_AT_RULES:
            found.append(token.lower_value)
        found += read_at_keywords(getattr(token, "content", None) or getattr(token, "arguments", None) or [])
    return found


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("a { color: red }", False),
        (".a { background: url(https://cdn.example/a.png) } @media (min-width: 1px) { .a { color: red } }", False),
        ("@importx url(a.css);", False),
        ("@/**/import url(a.css);", False),  # `@` then a comment: a delimiter, not an at-keyword
        ("@import url(a.css);", True),
        ("@Font-Face { src: url(a.woff2) }", True),
        ("@\\69mport url(a.css);", True),  # an escape may spell any name
    ],
)
def test_prefilter_cases(css, expected):
    assert may_name_a_read_rule(css) is expected
    assert bool(read_at_keywords(tinycss2.parse_component_value_list(css))) is expected


PIECES = ["@", "import", "font-face", "IMPORT", "Font-Face", "\\", "69", "66", " ", "\n", "{", "}", "(", ")", "/*", "*/", '"', "'", "-", "_", "f", "a", ";", "url(", "ſ", "\u212a", "\u0130", "\x00", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24).map("".join))
def test_prefilter_never_skips_a_sheet_tinycss2_reads_a_rule_from(css):
    if read_at_keywords(tinycss2.parse_component_value_list(css)):
        assert may_name_a_read_rule(css)
