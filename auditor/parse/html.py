"""HTML parsed once per audit with beautifulsoup4 (`html.parser`, which keeps source positions).

bs4 gives each tag's start (`sourceline`, 1-based; `sourcepos`, 0-based
code-point column). Attribute positions and where a `<script>`/`<style>`
body starts are not in bs4's model, so `StartTag` re-reads just that start
tag from the source text (a bounded scan of one tag, not a second parser).
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.engine.location import Location, Span
from auditor.engine.model import Resource

HTML_MIME_TYPES = ("text/html", "application/xhtml+xml")
# HTML "JavaScript MIME type essence match" plus the script types that execute.
SCRIPT_TYPES = frozenset(
    {"", "module", "importmap", "speculationrules", "text/javascript", "application/javascript", "application/ecmascript",
     "application/x-ecmascript", "application/x-javascript", "text/ecmascript", "text/javascript1.0", "text/javascript1.1",
     "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
     "text/x-ecmascript", "text/x-javascript"}
)
JS_SCRIPT_TYPES = SCRIPT_TYPES - {"importmap", "speculationrules"}


@dataclass(slots=True)
class Document:
    """One parsed HTML resource: its soup, its text (for positions), and its elements by name."""

    resource: Resource
    soup: object
    text: str
    _by_name: dict | None = None

    def elements(self, *names: str) -> list:
        """Elements with these tag names (all elements when none is given), in document order.

        One walk of the tree per document, shared by every rule, instead of a
        `find_all` per rule and name.
        """
        if self._by_name is None:
            self._by_name = {"": []}
            for tag in self.soup.find_all(True):
                self._by_name[""].append(tag)
                self._by_name.setdefault(tag.name, []).append(tag)
        if not names:
            return self._by_name[""]
        if len(names) == 1:
            return self._by_name.get(names[0], [])
        wanted = set(names)
        return [tag for tag in self._by_name[""] if tag.name in wanted]


@dataclass(frozen=True, slots=True)
class StartTag:
    """Where a start tag and each of its attributes sit in the document text (character offsets)."""

    start: int
    end: int  # just after the closing `>`
    attributes: dict[str, tuple[int, int]]


def soup_class():
    """bs4's BeautifulSoup, imported without soupsieve: nothing here selects by CSS, and
    soupsieve's import (its selector grammar compiled at import) costs more than the rest of bs4."""
    import sys
    import warnings

    if "bs4" not in sys.modules and "soupsieve" not in sys.modules:
        sys.modules["soupsieve"] = None  # type: ignore[assignment]  # bs4 then leaves CSS selection off
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # bs4 warns that CSS selectors are unavailable
                from bs4 import BeautifulSoup
        finally:
            del sys.modules["soupsieve"]
        return BeautifulSoup
    from bs4 import BeautifulSoup

    return BeautifulSoup


def documents(ctx) -> list[Document]:
    """Every HTML resource the limits allow, parsed once per audit."""

    def build() -> list[Document]:
        BeautifulSoup = soup_class()
        parsed = []
        for resource in ctx.resources(*HTML_MIME_TYPES):
            text = ctx.text(resource)
            if text is not None:
                parsed.append(Document(resource, BeautifulSoup(text, "html.parser"), text))
        return parsed

    return ctx.memo("html-documents", build)


def tag_span(tag) -> Span | None:
    line, column = getattr(tag, "sourceline", None), getattr(tag, "sourcepos", None)
    if line is None or column is None:
        return None
    return Span(line, column + 1, line, column + 2 + len(tag.name))


def tag_offset(ctx, document: Document, tag) -> int | None:
    if getattr(tag, "sourceline", None) is None:
        return None
    return ctx.text_index(document.resource).offset(tag.sourceline, tag.sourcepos + 1)


def start_tag(ctx, document: Document, tag) -> StartTag | None:
    """Scan the tag's start tag in the source: attribute ranges and where it ends."""
    start = tag_offset(ctx, document, tag)
    text = document.text
    if start is None or not text.startswith("<", start):
        return None
    pos = start + 1
    while pos < len(text) and not text[pos].isspace() and text[pos] not in "/>":
        pos += 1
    attributes: dict[str, tuple[int, int]] = {}
    while pos < len(text):
        while pos < len(text) and (text[pos].isspace() or text[pos] == "/"):
            pos += 1
        if pos >= len(text) or text[pos] == ">":
            break
        name_start = pos
        while pos < len(text) and not text[pos].isspace() and text[pos] not in "/>=":
            pos += 1
        name = text[name_start:pos].lower()
        probe = pos
        while probe < len(text) and text[probe].isspace():
            probe += 1
        if probe < len(text) and text[probe] == "=":
            pos = probe + 1
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos < len(text) and text[pos] in "\"'":
                close = text.find(text[pos], pos + 1)
                pos = len(text) if close == -1 else close + 1
            else:
                while pos < len(text) and not text[pos].isspace() and text[pos] != ">":
                    pos += 1
        attributes.setdefault(name, (name_start, pos))
    return StartTag(start, min(pos + 1, len(text)), attributes)


def attribute_location(ctx, document: Document, tag, name: str) -> Location:
    """The attribute `name=value` itself, or the tag when the scan cannot place it."""
    scanned = start_tag(ctx, document, tag)
    if scanned is not None and name in scanned.attributes:
        return ctx.text_location(document.resource, *scanned.attributes[name])
    return Location(resource=document.resource.path, span=tag_span(tag))


def tag_location(document: Document, tag) -> Location:
    return Location(resource=document.resource.path, span=tag_span(tag))


def script_type(tag) -> str:
    """The essence of a script's `type` (lower case, no parameters); `language` is ignored."""
    value = tag.get("type")
    return (value if isinstance(value, str) else "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True, slots=True)
class InlineBlock:
    """The body of an inline `<script>` or `<style>`: its text and where it starts in the document."""

    document: Document
    tag: object
    text: str
    offset: int  # character offset of the body in the document text


def inline_blocks(ctx, name: str) -> list[InlineBlock]:
    """Bodies of inline `<script>` (without `src`) or `<style>` elements, with their offsets."""

    def build() -> list[InlineBlock]:
        blocks = []
        for document in documents(ctx):
            for tag in document.elements(name):
                if name == "script" and tag.has_attr("src"):
                    continue
                body = tag.string if tag.string is not None else "".join(tag.strings)
                scanned = start_tag(ctx, document, tag)
                if scanned is None:
                    continue
                blocks.append(InlineBlock(document, tag, str(body), scanned.end))
        return blocks

    return ctx.memo(("inline-blocks", name), build)
