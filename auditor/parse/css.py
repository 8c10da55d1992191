"""CSS parsed once per audit with tinycss2: stylesheet files and inline `<style>` blocks.

tinycss2 gives 1-based line and column for every node, relative to the text it
parsed; `Sheet.location` maps them back into the resource (the HTML document
for a `<style>` block), so findings land where the CSS is written.

The CSS rules read only `@import` and `@font-face` rules, so a stylesheet in
which no at-keyword can name either is not parsed at all (`may_name_a_read_rule`):
tinycss2 tokenises ~1 MB/s, and most stylesheets hold only `@media` or
`@keyframes`, or no at-rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from auditor.engine.location import Location, TextIndex
from auditor.engine.model import Resource
from auditor.engine.record import FrozenRecord, store_fields

CSS_MIME_TYPES = ("text/css",)

# The at-rules a rule reads (`imports`, `font_sources`; group rules matter only around them).
READ_AT_RULES = frozenset({"import", "font-face"})
# An at-keyword token starts with a literal `@` (CSS Syntax 4.3.1: an escape cannot make one) and its
# name is the identifier after it: ident code points (\w covers letters, digits and `_`; the rest of
# non-ASCII only shortens the match, which makes a name look *more* like a read one, never less) or
# escapes, which could spell any name and so count as a possible match.
AT_NAME = re.compile(r"@((?:[-\w]|\\)*)")


def may_name_a_read_rule(text: str) -> bool:
    """Whether some at-keyword of `text` may be `@import` or `@font-face` (ASCII case-insensitive, escapes included)."""
    if "@" not in text:
        return False
    for match in AT_NAME.finditer(text):
        name = match.group(1)
        if "\\" in name or name.lower() in READ_AT_RULES:
            return True
    return False


class Sheet(FrozenRecord):
    __slots__ = ("char_base", "index", "resource", "rules")
    resource: Resource
    rules: list
    index: TextIndex  # of the CSS text itself
    char_base: int  # where the CSS text starts in the resource's text

    def __init__(self, resource: Resource, rules: list, index: TextIndex, char_base: int) -> None:
        store_fields(self, locals())

    def location(self, ctx, node) -> Location:
        start = self.char_base + self.index.offset(node.source_line, node.source_column)
        return ctx.text_location(self.resource, start, start + 1)


class CssUrl(FrozenRecord):
    """A URL written in CSS (`url(...)` or the string of an `@import`), with its node for position."""

    __slots__ = ("node", "sheet", "url")
    sheet: Sheet
    url: str
    node: object

    def __init__(self, sheet: Sheet, url: str, node: object) -> None:
        store_fields(self, locals())


def sheets(ctx) -> Iterable[Sheet]:
    """Stylesheets of the resources in scope that may hold a rule read here: a CSS file, or a page's inline `<style>` blocks."""

    def build() -> list[Sheet]:
        from auditor.parse.html import inline_blocks

        texts = [(resource, text, 0) for resource in ctx.in_scope(*CSS_MIME_TYPES) if (text := ctx.text(resource)) is not None]
        texts += [(block.document.resource, block.text, block.offset) for block in inline_blocks(ctx, "style")]
        texts = [entry for entry in texts if may_name_a_read_rule(entry[1])]
        if not texts:
            return []  # no CSS a rule reads: tinycss2 is not even imported
        import tinycss2

        return [Sheet(resource, tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True), TextIndex(text), base) for resource, text, base in texts]

    return ctx.per_resource("css-sheets", build)


def token_url(token) -> str | None:
    """The URL of a `url(...)` token or function, or of a plain string (as `@import "x.css"` writes it)."""
    if token.type == "url":
        return token.value
    if token.type == "function" and token.lower_name in ("url", "src"):
        strings = [t for t in token.arguments if t.type == "string"]
        return strings[0].value if strings else None
    if token.type == "string":
        return token.value
    return None


# Rules allowed before an `@import` (CSS Cascade: `@import` must precede all other rules but these).
BEFORE_IMPORT = ("charset", "layer")
# Conditional group rules whose blocks hold ordinary rules (an `@font-face` inside still loads).
GROUP_RULES = ("media", "supports", "layer", "container", "scope", "starting-style", "document")


def imports(ctx) -> Iterator[CssUrl]:
    """Every `@import` URL the CSS parser honours: one after any other rule is ignored (no load)."""
    for sheet in sheets(ctx):
        for rule in sheet.rules:
            if rule.type == "at-rule" and rule.lower_at_keyword == "import":
                for token in rule.prelude:
                    url = token_url(token)
                    if url is not None:
                        yield CssUrl(sheet, url, token)
                        break
            elif rule.type == "at-rule" and rule.lower_at_keyword in BEFORE_IMPORT and (rule.lower_at_keyword == "charset" or rule.content is None):
                continue
            elif rule.type in ("at-rule", "qualified-rule"):
                break  # every later @import is invalid and dropped


def all_rules(rules, depth: int = 0) -> Iterator:
    """Rules at the top level and inside `@media`, `@supports`, `@layer`... blocks (bounded depth)."""
    for rule in rules:
        yield rule
        if depth < 8 and rule.type == "at-rule" and rule.lower_at_keyword in GROUP_RULES and rule.content is not None:
            import tinycss2  # there is CSS, so it is imported already

            yield from all_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), depth + 1)


def font_sources(ctx) -> Iterator[CssUrl]:
    """Every `url()` in the `src` descriptor of an `@font-face` rule, nested in group rules too."""
    for sheet in sheets(ctx):
        for rule in all_rules(sheet.rules):
            if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
                continue
            import tinycss2  # there is CSS, so it is imported already

            for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name == "src":
                    for token in declaration.value:
                        url = token_url(token) if token.type in ("url", "function") else None
                        if url is not None:
                            yield CssUrl(sheet, url, token)
