"""Evaluate the literal parts of a TypeScript/JavaScript config file, with positions.

`capacitor.config.ts` is code. We never run it: tree-sitter's TypeScript grammar
parses it, and only literals are evaluated (objects, arrays, strings, numbers,
booleans, null, templates without substitutions, `as`/`satisfies`/`!` wrappers,
and identifiers bound to a top-level `const`). Anything else becomes a
`Computed` marker, so rules can say "computed; not checked" instead of guessing.
Positions are JSON pointers to character ranges, like `parse/json_pos.py`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from auditor.engine.model import Computed, JsonDocument
from auditor.parse.json_pos import pointer_join

WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"})
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
MAX_SOURCE = 80
UNRESOLVED = object()


class TsLiteralError(ValueError):
    """The text is not valid TypeScript, or exports no config object; carries a char offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def unescape(raw: str) -> str:
    """A JS string body with its escape sequences decoded (surrogate pairs joined)."""

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body in SIMPLE_ESCAPES:
            return SIMPLE_ESCAPES[body]
        if body in ("\n", "\r\n", "\r", "\u2028", "\u2029"):
            return ""
        if body.startswith("u{"):
            return chr(min(int(body[2:-1], 16), 0x10FFFF))
        if body[0] in "ux" and len(body) > 1:
            return chr(int(body[1:], 16))
        return body

    text = ESCAPE.sub(one, raw)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def number_value(text: str) -> int | float:
    text = text.replace("_", "").rstrip("n")
    lower = text.lower()
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if lower.startswith(prefix):
            return int(text[2:], base)
    if any(c in lower for c in ".e"):
        return float(text)
    return int(text)


@dataclass
class _Evaluator:
    data: bytes
    max_depth: int
    consts: dict[str, object] = field(default_factory=dict)
    pointers: dict[str, tuple[int, int]] = field(default_factory=dict)
    byte_starts: list[int] | None = None

    def char(self, byte_offset: int) -> int:
        if self.byte_starts is None:
            return byte_offset
        return bisect.bisect_right(self.byte_starts, byte_offset) - 1

    def span(self, node) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)

    def source(self, node) -> str:
        text = " ".join(self.data[node.start_byte : node.end_byte].decode("utf-8", "replace").split())
        return text if len(text) <= MAX_SOURCE else text[: MAX_SOURCE - 1] + "…"

    def value(self, node, pointer: str, depth: int, seen: frozenset[str] = frozenset()) -> object:
        self.pointers[pointer] = self.span(node)
        while node.type in WRAPPERS and node.named_children:
            node = node.named_children[0]
        if depth > self.max_depth:
            return Computed(f"nested deeper than {self.max_depth} levels")
        kind = node.type
        if kind == "object":
            return self.obj(node, pointer, depth, seen)
        if kind == "array":
            items = [c for c in node.named_children if c.type != "comment"]
            return [self.value(c, pointer_join(pointer, i), depth + 1, seen) for i, c in enumerate(items)]
        if kind == "string":
            return self.string(node)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.named_children):
                return Computed(self.source(node))
            return self.string(node)
        if kind == "number":
            return self.number(node, node)
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "null":
            return None
        if kind == "unary_expression" and node.child_by_field_name("operator") is not None:
            operator = node.child_by_field_name("operator").type
            argument = node.child_by_field_name("argument")
            if operator in ("-", "+") and argument is not None and argument.type == "number":
                number = self.number(argument, node)
                return -number if operator == "-" and not isinstance(number, Computed) else number
        if kind == "undefined":
            return None  # only reached inside arrays, where JSON.stringify writes null
        if kind in ("identifier", "shorthand_property_identifier"):
            resolved = self.resolve(node, pointer, depth, seen)
            if resolved is not UNRESOLVED:
                return resolved
        return Computed(self.source(node))

    def number(self, node, whole) -> int | float | Computed:
        try:
            return number_value(node.text.decode("ascii", "replace"))
        except ValueError:
            return Computed(self.source(whole))

    def resolve(self, node, pointer: str, depth: int, seen: frozenset[str]) -> object:
        """The literal value of an identifier bound by a top-level `const`; the use site keeps its span."""
        name = node.text.decode("utf-8", "replace")
        if name not in self.consts or name in seen:
            return UNRESOLVED
        use_site = self.pointers.get(pointer)
        value = self.value(self.consts[name], pointer, depth, seen | {name})
        if use_site is not None:
            self.pointers[pointer] = use_site
        return value

    def string(self, node) -> str:
        inner = self.data[node.start_byte + 1 : node.end_byte - 1].decode("utf-8", "replace")
        return unescape(inner)

    def key(self, node) -> str | None:
        if node.type in ("property_identifier", "identifier", "private_property_identifier"):
            return node.text.decode("utf-8", "replace")
        if node.type == "string":
            return self.string(node)
        if node.type == "number":
            return str(number_value(node.text.decode("ascii", "replace")))
        return None

    def obj(self, node, pointer: str, depth: int, seen: frozenset[str]) -> dict[str, object]:
        result: dict[str, object] = {}
        for member in node.named_children:
            kind = member.type
            if kind == "comment":
                continue
            if kind == "pair":
                key_node, value_node = member.child_by_field_name("key"), member.child_by_field_name("value")
            elif kind == "shorthand_property_identifier":
                key_node, value_node = member, member
            else:  # spread, method, getter: present, never evaluated
                key_node, value_node = member.child_by_field_name("name") or member, None
            if key_node.type == "computed_property_name":
                value_node = None
            if kind == "spread_element" and member.named_children and member.named_children[0].type == "identifier":
                spread = self.resolve(member.named_children[0], pointer, depth, seen)
                if isinstance(spread, dict):
                    result.update(spread)
                    continue
            key = self.key(key_node) or self.source(key_node)
            child = pointer_join(pointer, key)
            self.pointers[child + "#key"] = self.span(key_node)
            if value_node is None:
                self.pointers[child] = self.span(member)
                result[key] = Computed(self.source(member))
            elif value_node.type == "undefined":
                del self.pointers[child + "#key"]  # `key: undefined` is no key (JSON.stringify drops it)
            else:
                result[key] = self.value(value_node, child, depth + 1, seen)
        return result


def first_error(node):
    """The first ERROR or MISSING node in document order (iterative: error trees can be deep)."""
    while not (node.type == "ERROR" or node.is_missing):
        child = next((c for c in node.children if c.has_error or c.is_missing), None)
        if child is None:
            return node
        node = child
    return node


def exported_config(root):
    """The node a config module exports: `export default X`, `module.exports = X`, with consts."""
    consts: dict[str, object] = {}
    exported = None
    for statement in root.named_children:
        node = statement
        if node.type == "export_statement":
            declaration = node.child_by_field_name("declaration")
            value = node.child_by_field_name("value")
            if declaration is not None:
                node = declaration
            elif value is not None:
                exported = value
                continue
        if node.type == "lexical_declaration" and node.children and node.children[0].type == "const":
            for declarator in node.named_children:
                name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if declarator.type == "variable_declarator" and name is not None and value is not None and name.type == "identifier":
                    consts[name.text.decode("utf-8", "replace")] = value
        elif node.type == "expression_statement" and node.named_children:
            expr = node.named_children[0]
            left = expr.child_by_field_name("left") if expr.type == "assignment_expression" else None
            if left is not None and left.text in (b"module.exports", b"exports.default"):
                exported = expr.child_by_field_name("right")
    return exported, consts


def parse_ts_config(text: str, *, max_depth: int = 64, resource: str | None = None) -> JsonDocument:
    """The exported config object of a TS/JS config as a JsonDocument (computed values marked)."""
    import tree_sitter_typescript
    from tree_sitter import Language, Parser

    data = text.encode("utf-8", "surrogatepass")
    tree = Parser(Language(tree_sitter_typescript.language_typescript())).parse(data)
    byte_starts = None
    if not text.isascii():
        byte_starts = [0]
        for ch in text:
            byte_starts.append(byte_starts[-1] + len(ch.encode("utf-8", "surrogatepass")))
    evaluator = _Evaluator(data, max_depth, byte_starts=byte_starts)
    root = tree.root_node
    if root.has_error:
        bad = first_error(root)
        what = f"missing `{bad.type}`" if bad.is_missing else "unexpected text"
        raise TsLiteralError(f"not valid TypeScript/JavaScript: {what}", evaluator.char(bad.start_byte))
    exported, consts = exported_config(root)
    if exported is None:
        raise TsLiteralError("no `export default` or `module.exports =` config object found", 0)
    evaluator.consts = consts
    value = evaluator.value(exported, "", 0)
    return JsonDocument(value, text, evaluator.pointers, resource)
