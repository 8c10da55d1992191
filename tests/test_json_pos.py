import pytest

from auditor.engine.location import TextIndex
from auditor.parse.json_pos import JsonPositionError, parse_json


def test_records_value_and_key_positions_with_non_ascii_text():
    text = '{\n  "name": "Çafé",\n  "a/b": [1, {"c": true}]\n}'
    parsed = parse_json(text)
    doc = parsed.document
    assert doc.value == {"name": "Çafé", "a/b": [1, {"c": True}]}
    index = TextIndex(text)
    assert index.position(doc.pointers["/name"][0]) == (2, 11)
    assert index.position(doc.pointers["/name#key"][0]) == (2, 3)
    assert index.position(doc.pointers["/a~1b/1/c"][0]) == (3, 20)


@pytest.mark.parametrize("text", ['{"a": 1,}', "[1,]", "{'a': 1}", '{"a": NaN}', '{"a": 1} x', "// c\n{}", ""])
def test_rejects_what_strict_json_rejects(text):
    with pytest.raises(JsonPositionError):
        parse_json(text)


def test_depth_is_bounded():
    with pytest.raises(JsonPositionError, match="nesting"):
        parse_json("[" * 1000 + "]" * 1000, max_depth=64)


def test_duplicate_keys_are_reported():
    assert parse_json('{"a": 1, "a": 2}').duplicates == ("/a",)


def test_non_ascii_digits_are_not_json_numbers():
    import pytest

    from auditor.parse.json_pos import JsonPositionError, parse_json

    with pytest.raises(JsonPositionError):
        parse_json('{"a": \u0663}')
