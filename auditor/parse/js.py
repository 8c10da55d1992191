"""JavaScript parsed once per audit with tree-sitter, shared by every rule that reads scripts.

Script files and inline `<script>` bodies become `JsTree`s. tree-sitter
reports byte offsets; findings need code-point positions in the resource's
text, so `location` converts only the nodes that become findings: directly
for ASCII sources, through checkpoints every 64 KiB otherwise (exact on
minified one-line files and non-ASCII text alike).
"""

from __future__ import annotations

import bisect
from functools import lru_cache

from auditor.location import Location
from auditor.model import Resource

JS_MIME_TYPES = frozenset({"application/javascript", "text/javascript", "application/ecmascript", "text/ecmascript", "application/x-javascript"})
JS_SUFFIXES = (".js", ".mjs", ".cjs")
CHECKPOINT_BYTES = 64 * 1024


class JsTree:
    """A parsed script: the tree, the UTF-8 bytes it was parsed from, and where they sit in the resource."""

    __slots__ = ("resource", "source", "tree", "char_base", "inline", "_ascii", "_bytes_at", "_chars_at")

    def __init__(self, resource: Resource, source: bytes, tree, *, char_base: int = 0, inline: bool = False) -> None:
        self.resource = resource
        self.source = source
        self.tree = tree
        self.char_base = char_base  # character offset of the script in the resource's text
        self.inline = inline
        self._ascii = source.isascii()
        self._bytes_at: list[int] = []
        self._chars_at: list[int] = []

    @property
    def root(self):
        return self.tree.root_node

    def char_offset(self, byte_offset: int) -> int:
        """Code points before `byte_offset` in the script."""
        if self._ascii:
            return byte_offset
        if not self._bytes_at:
            self._build_checkpoints()
        i = bisect.bisect_right(self._bytes_at, byte_offset) - 1
        base = self._bytes_at[i]
        return self._chars_at[i] + len(self.source[base:byte_offset].decode("utf-8", "replace"))

    def _build_checkpoints(self) -> None:
        source, chars, previous = self.source, 0, 0
        self._bytes_at, self._chars_at = [0], [0]
        position = CHECKPOINT_BYTES
        while position < len(source):
            while position < len(source) and source[position] & 0xC0 == 0x80:
                position += 1  # never split a UTF-8 sequence
            chars += len(source[previous:position].decode("utf-8", "replace"))
            self._bytes_at.append(position)
            self._chars_at.append(chars)
            previous = position
            position += CHECKPOINT_BYTES

    def location(self, ctx, node, end_node=None) -> Location:
        """The node's range as a location in the resource (HTML for inline scripts)."""
        start = self.char_base + self.char_offset(node.start_byte)
        end = self.char_base + self.char_offset((end_node or node).end_byte)
        return ctx.text_location(self.resource, start, end)

    def text(self, node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")


@lru_cache(maxsize=1)
def language():
    from tree_sitter import Language
    import tree_sitter_javascript

    return Language(tree_sitter_javascript.language())


@lru_cache(maxsize=1)
def parser():
    from tree_sitter import Parser

    return Parser(language())


def is_script(resource: Resource) -> bool:
    return resource.mime_type in JS_MIME_TYPES or (not resource.mime_type and resource.path.endswith(JS_SUFFIXES))


def scripts(ctx) -> list[JsTree]:
    """Every script file the limits allow, parsed once per audit (too large ones are AUD003's)."""

    def build() -> list[JsTree]:
        trees = []
        for resource in ctx.resources():
            if not is_script(resource):
                continue
            text = ctx.text(resource)
            if text is None:
                continue
            source = text.encode("utf-8")  # the decoded text, so offsets match the resource's positions
            trees.append(JsTree(resource, source, parser().parse(source)))
        return trees

    return ctx.memo("js-trees", build)


def inline_scripts(ctx) -> list[JsTree]:
    """Inline `<script>` bodies that are JavaScript (classic or module), positioned in their HTML."""

    def build() -> list[JsTree]:
        from auditor.parse.html import JS_SCRIPT_TYPES, inline_blocks, script_type

        trees = []
        for block in inline_blocks(ctx, "script"):
            if script_type(block.tag) not in JS_SCRIPT_TYPES or not block.text.strip():
                continue
            source = block.text.encode("utf-8")
            trees.append(JsTree(block.document.resource, source, parser().parse(source), char_base=block.offset, inline=True))
        return trees

    return ctx.memo("js-inline-trees", build)


def all_scripts(ctx) -> list[JsTree]:
    return [*scripts(ctx), *inline_scripts(ctx)]


def skipped_scripts(ctx) -> list[Resource]:
    """Script resources too large to parse: a rule claiming "no code does X" must say so."""
    return [r for r in ctx.resources() if is_script(r) and r.size > ctx.limits.max_text_resource_bytes]


@lru_cache(maxsize=64)
def compiled(query_text: str):
    from tree_sitter import Query

    return Query(language(), query_text)


def matches(tree: JsTree, query_text: str):
    """(pattern index, captures) for each match of a tree-sitter query, in source order."""
    from tree_sitter import QueryCursor

    found = QueryCursor(compiled(query_text)).matches(tree.root)
    return sorted(found, key=lambda m: min(n.start_byte for nodes in m[1].values() for n in nodes))


def literal_text(tree: JsTree, node) -> tuple[str | None, bool]:
    """(text, exact) of a string-ish node: a string literal exactly; a template or `+` chain by its
    literal prefix (enough to know the scheme); None for anything computed."""
    if node.type == "string":
        return tree.text(node)[1:-1], True
    if node.type == "template_string":
        text = tree.text(node)[1:-1]
        if not any(child.type == "template_substitution" for child in node.children):
            return text, True
        return text.split("${", 1)[0], False
    if node.type == "binary_expression" and node.child_count == 3 and tree.text(node.children[1]) == "+":
        left, _ = literal_text(tree, node.children[0])
        return (left, False) if left is not None else (None, False)
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return literal_text(tree, node.named_children[0])
    return None, False


def is_stringy(node) -> bool:
    """A string, a template, or a concatenation involving one: a plain string at run time."""
    if node.type in ("string", "template_string"):
        return True
    if node.type == "binary_expression" and node.child_count == 3 and node.children[1].type == "+":
        return is_stringy(node.children[0]) or is_stringy(node.children[2])
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return is_stringy(node.named_children[0])
    return False
