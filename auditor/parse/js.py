"""JavaScript parsed once per audit with tree-sitter, shared by every rule that reads scripts.

Positions: tree-sitter reports byte offsets; findings need 1-based lines and
code-point columns, so `span` converts only the few nodes that become findings
(cheap on minified one-line files, exact on non-ASCII text).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from auditor.location import Span
from auditor.model import Resource

JS_MIME_TYPES = frozenset({"application/javascript", "text/javascript", "application/ecmascript", "text/ecmascript", "application/x-javascript"})
JS_SUFFIXES = (".js", ".mjs", ".cjs")


@dataclass(frozen=True, slots=True)
class JsTree:
    """A parsed script: the tree-sitter tree and the bytes it was parsed from."""

    resource: Resource
    source: bytes
    tree: object

    def span(self, node) -> Span:
        return Span(*self.position(node.start_byte), *self.position(node.end_byte))

    def position(self, offset: int) -> tuple[int, int]:
        line_start = self.source.rfind(b"\n", 0, offset) + 1
        line = self.source.count(b"\n", 0, line_start) + 1
        return line, len(self.source[line_start:offset].decode("utf-8", "replace")) + 1


@lru_cache(maxsize=1)
def language():
    from tree_sitter import Language
    import tree_sitter_javascript

    return Language(tree_sitter_javascript.language())


def is_script(resource: Resource) -> bool:
    return resource.mime_type in JS_MIME_TYPES or (not resource.mime_type and resource.path.endswith(JS_SUFFIXES))


def scripts(ctx) -> list[JsTree]:
    """Every script resource the limits allow, parsed once per audit (too large ones are AUD003's)."""

    def build() -> list[JsTree]:
        from tree_sitter import Parser

        parser = Parser(language())
        trees = []
        for resource in ctx.resources():
            if not is_script(resource) or resource.size > ctx.limits.max_text_resource_bytes:
                continue
            source = resource.body.read(ctx.limits.max_text_resource_bytes)
            trees.append(JsTree(resource, source, parser.parse(source)))
        return trees

    return ctx.memo("js-trees", build)


def skipped_scripts(ctx) -> list[Resource]:
    """Script resources too large to parse: a rule claiming "no code does X" must say so."""
    return [r for r in ctx.resources() if is_script(r) and r.size > ctx.limits.max_text_resource_bytes]
