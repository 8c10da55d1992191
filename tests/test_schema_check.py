"""The quick schema check never calls valid what jsonschema rejects (it may only defer to it)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from auditor.parse.schema_check import certainly_valid

SCHEMAS = {name: json.loads(resources.files("auditor.schemas").joinpath(name).read_text("utf-8")) for name in ("config.schema.json", "iwa-manifest.schema.json")}
KEYS = st.sampled_from(["name", "short_name", "icons", "src", "sizes", "purpose", "id", "start_url", "version", "select", "ignore", "levels", "paths",
                        "per-path-ignores", "fail-level", "expect-id", "baseline", "shortcuts", "url", "type", "display", "MAN001", "x"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", "error", "warning", "note", "any", "maskable", "192x192", "/", "MAN", "standalone", "1.0.0", "é"]), st.text(max_size=5))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=400, deadline=None)
@given(instance=st.dictionaries(KEYS, JSON, max_size=6))
def test_certainly_valid_implies_jsonschema_finds_no_error(name, instance):
    schema = SCHEMAS[name]
    if certainly_valid(schema, instance):
        assert not list(Draft202012Validator(schema).iter_errors(instance))


@pytest.mark.parametrize(("name", "instance"), [
    ("config.schema.json", {}),
    ("config.schema.json", {"select": ["SCR"], "levels": {"MAN001": "note"}, "per-path-ignores": {"a/*": ["SCR001"]}}),
    ("iwa-manifest.schema.json", {"name": "Chat", "id": "/", "start_url": "/", "version": "1.0.0", "icons": [{"src": "/i.png", "sizes": "192x192"}]}),
])
def test_ordinary_valid_documents_need_no_jsonschema(name, instance):
    assert not list(Draft202012Validator(SCHEMAS[name]).iter_errors(instance))
    assert certainly_valid(SCHEMAS[name], instance)


@pytest.mark.parametrize(("name", "instance"), [
    ("config.schema.json", {"select": "SCR"}),
    ("config.schema.json", {"unknown": 1}),
    ("config.schema.json", {"levels": {"MAN001": "loud"}}),
    ("iwa-manifest.schema.json", {"name": "Chat", "icons": "/i.png"}),
])
def test_invalid_documents_are_left_to_jsonschema(name, instance):
    assert list(Draft202012Validator(SCHEMAS[name]).iter_errors(instance))
    assert not certainly_valid(SCHEMAS[name], instance)
