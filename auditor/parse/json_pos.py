"""Strict JSON with a position for every member, so findings land on the exact key or value.

The standard library parser gives values but no positions; this one reuses its
string scanner and number pattern and records, per RFC 6901 JSON Pointer, the
character range of each value (`pointer`) and of each object key
(`pointer + "#key"`). It is strict like Chrome's `base::JSONReader` (no
comments, no trailing commas, no NaN), bounded in depth, and reports duplicate
keys instead of silently keeping one.
"""

from __future__ import annotations

import json.decoder
import re

from auditor.engine.lazy import LazyPattern
from auditor.engine.model import JsonDocument
from auditor.engine.record import FrozenRecord, Record, store_fields

WHITESPACE = re.compile(r"[ \t\n\r]*")
NUMBER = LazyPattern(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
LITERALS = {"true": True, "false": False, "null": None}


class JsonPositionError(ValueError):
    """Not strict JSON: carries the character offset where parsing stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def escape_token(token: str) -> str:
    """One JSON Pointer reference token (RFC 6901: `~` -> `~0`, `/` -> `~1`)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_join(base: str, token: str | int) -> str:
    return f"{base}/{escape_token(str(token))}"


class _Parser(Record):
    __slots__ = ("duplicates", "max_depth", "pointers", "text")
    text: str
    max_depth: int
    pointers: dict[str, tuple[int, int]]
    duplicates: list[str]

    def __init__(self, text: str, max_depth: int, pointers: dict[str, tuple[int, int]] | None = None, duplicates: list[str] | None = None) -> None:
        self.text = text
        self.max_depth = max_depth
        self.pointers = {} if pointers is None else pointers
        self.duplicates = [] if duplicates is None else duplicates

    def skip(self, pos: int) -> int:
        return WHITESPACE.match(self.text, pos).end()  # type: ignore[union-attr]

    def fail(self, message: str, pos: int) -> JsonPositionError:
        return JsonPositionError(message, pos)

    def value(self, pos: int, pointer: str, depth: int) -> tuple[object, int]:
        if depth > self.max_depth:
            raise self.fail(f"nesting deeper than {self.max_depth} levels", pos)
        text = self.text
        if pos >= len(text):
            raise self.fail("unexpected end of input", pos)
        ch = text[pos]
        start = pos
        if ch == "{":
            result, pos = self.obj(pos + 1, pointer, depth)
        elif ch == "[":
            result, pos = self.arr(pos + 1, pointer, depth)
        elif ch == '"':
            result, pos = self.string(pos)
        else:
            match = NUMBER.match(text, pos)
            if match and match.end() > pos:
                literal = match.group()
                result = float(literal) if any(c in literal for c in ".eE") else int(literal)
                pos = match.end()
            else:
                for word, lit in LITERALS.items():
                    if text.startswith(word, pos):
                        result, pos = lit, pos + len(word)
                        break
                else:
                    raise self.fail(f"unexpected character {ch!r}", pos)
        self.pointers[pointer] = (start, pos)
        return result, pos

    def string(self, pos: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, pos + 1, True)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos) from None

    def obj(self, pos: int, pointer: str, depth: int) -> tuple[dict, int]:
        result: dict[str, object] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return result, pos + 1
        while True:
            if not self.text.startswith('"', pos):
                raise self.fail("expected a string key", pos)
            key_start = pos
            key, pos = self.string(pos)
            child = pointer_join(pointer, key)
            if key in result:
                self.duplicates.append(child)
            self.pointers[child + "#key"] = (key_start, pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail("expected ':' after a key", pos)
            pos = self.skip(pos + 1)
            result[key], pos = self.value(pos, child, depth + 1)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos = self.skip(pos + 1)
                if self.text.startswith("}", pos):
                    raise self.fail("trailing comma", pos)
                continue
            if self.text.startswith("}", pos):
                return result, pos + 1
            raise self.fail("expected ',' or '}'", pos)

    def arr(self, pos: int, pointer: str, depth: int) -> tuple[list, int]:
        result: list[object] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return result, pos + 1
        while True:
            item, pos = self.value(pos, pointer_join(pointer, len(result)), depth + 1)
            result.append(item)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos = self.skip(pos + 1)
                if self.text.startswith("]", pos):
                    raise self.fail("trailing comma", pos)
                continue
            if self.text.startswith("]", pos):
                return result, pos + 1
            raise self.fail("expected ',' or ']'", pos)


class ParsedJson(FrozenRecord):
    __slots__ = ("document", "duplicates")
    document: JsonDocument
    duplicates: tuple[str, ...]  # pointers of keys that appear more than once in their object

    def __init__(self, document: JsonDocument, duplicates: tuple[str, ...]) -> None:
        store_fields(self, locals())


def parse_json(text: str, *, resource: str | None = None, max_depth: int = 64) -> ParsedJson:
    """Parse strict JSON, recording positions; raises JsonPositionError with an offset."""
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _Parser(text, max_depth)
    pos = parser.skip(0)
    value, pos = parser.value(pos, "", 0)
    pos = parser.skip(pos)
    if pos != len(text):
        raise JsonPositionError("extra data after the JSON value", pos)
    return ParsedJson(JsonDocument(value, text, parser.pointers, resource), tuple(parser.duplicates))
