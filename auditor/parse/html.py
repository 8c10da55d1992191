"""HTML parsed once per audit as Chromium parses it: the HTML5 algorithm, scripting enabled.

The parser is justhtml (pure Python, MIT, passes the html5lib tree-construction
tests). It was chosen over beautifulsoup4's `html5lib` tree builder because that
builder keeps no source positions, and findings must point at the construct.
justhtml gives every element's start-tag offset in the source; attribute ranges
and where a `<script>`/`<style>` body starts are read by `start_tag`, a bounded
scan of that one start tag that follows the HTML5 tokenizer's attribute states.

What the HTML5 algorithm decides and `html.parser` does not (see
tests/rules/test_content_parser.py for one differential page per class):
raw text (`<noscript>` with scripting on, `<textarea>`, `<title>`, `<xmp>`,
`<plaintext>`), comments ending at `<!-->` and `--!>`, end tags with
attributes, inert `<template>` contents (kept, marked `inert`: event handlers
there are still reported by Chromium), SVG and MathML foreign content.

Documents inside documents (`<iframe srcdoc>` and `data:text/html` frames)
inherit the page's CSP, so they are parsed too; their positions are mapped
back into the outer file (`Document.outer`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

from auditor.engine.lazy import LazyPattern
from auditor.engine.location import Location, Span, TextIndex
from auditor.engine.model import Resource
from auditor.engine.record import FrozenRecord, Record, store_fields

HTML_MIME_TYPES = ("text/html", "application/xhtml+xml")
# HTML "JavaScript MIME type essence match": a type with parameters is not one (it never runs).
JAVASCRIPT_MIME_TYPES = frozenset(
    {"text/javascript", "application/javascript", "application/ecmascript", "application/x-ecmascript",
     "application/x-javascript", "text/ecmascript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
     "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
     "text/x-ecmascript", "text/x-javascript"}
)
SCRIPT_TYPES = frozenset({"", "module", "importmap", "speculationrules", *JAVASCRIPT_MIME_TYPES})
JS_SCRIPT_TYPES = SCRIPT_TYPES - {"importmap", "speculationrules"}
MAX_NESTED_DEPTH = 3  # srcdoc inside srcdoc: Chromium has no limit, a linter needs one
MAX_DOCUMENT_CHARS = 4 * 1024 * 1024


class Tag(Record):
    """One element as the HTML5 parser built it, with its start tag's place in the outer file.

    The accessors mirror the few beautifulsoup4 ones the rules used (`get`,
    `has_attr`, `attrs`, `strings`), so rules read elements the same way.
    """

    __slots__ = ("attrs", "in_head", "inert", "name", "namespace", "offset", "sourceline", "sourcepos", "text")
    name: str
    namespace: str  # "html", "svg" or "math"
    attrs: dict[str, str]
    offset: int | None  # of `<` in the document's own text
    text: str  # the element's own text children, joined (a script's or style's body)
    inert: bool  # inside a <template>: never runs or loads
    in_head: bool
    sourceline: int | None  # 1-based, in the outer file
    sourcepos: int | None  # 0-based column, in the outer file

    def __init__(
        self,
        name: str,
        namespace: str,
        attrs: dict[str, str],
        offset: int | None,
        text: str,
        inert: bool = False,
        in_head: bool = False,
        sourceline: int | None = None,
        sourcepos: int | None = None,
    ) -> None:
        self.name = name
        self.namespace = namespace
        self.attrs = attrs
        self.offset = offset
        self.text = text
        self.inert = inert
        self.in_head = in_head
        self.sourceline = sourceline
        self.sourcepos = sourcepos

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def has_attr(self, name: str) -> bool:
        return name in self.attrs

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    @property
    def strings(self) -> list[str]:
        return [self.text] if self.text else []

    @property
    def string(self) -> str:
        return self.text


class Document(Record):
    """One parsed HTML document: a resource, or a `srcdoc`/`data:` document inside one."""

    __slots__ = ("origin", "outer", "parent", "resource", "tags", "text")
    resource: Resource
    text: str  # this document's own markup (for a nested one, the decoded srcdoc or data: body)
    tags: list[Tag]
    outer: Callable[[int], int]  # own offset -> offset in the resource text
    parent: Tag | None  # the <iframe> a nested document belongs to
    origin: str  # "file", "srcdoc" or "data"

    def __init__(self, resource: Resource, text: str, tags: list[Tag], outer: Callable[[int], int] = lambda offset: offset, parent: Tag | None = None, origin: str = "file") -> None:
        self.resource = resource
        self.text = text
        self.tags = tags
        self.outer = outer
        self.parent = parent
        self.origin = origin

    def elements(self, *names: str, inert: bool = False) -> list[Tag]:
        """Elements with these names (all when none is given), in document order.

        Elements inside `<template>` are left out unless `inert` is true: their
        scripts never run and their URLs never load.
        """
        wanted = set(names)
        return [t for t in self.tags if (inert or not t.inert) and (not wanted or t.name in wanted)]

    @property
    def nested(self) -> bool:
        return self.parent is not None


class StartTag(FrozenRecord):
    """Where a start tag and each of its attributes sit in the document text (character offsets)."""

    __slots__ = ("attributes", "end", "start", "values")
    start: int
    end: int  # just after the closing `>`
    attributes: dict[str, tuple[int, int]]  # name -> (start of the name, end of the value)
    values: dict[str, tuple[int, int]]  # name -> the raw value's range, quotes excluded

    def __init__(self, start: int, end: int, attributes: dict[str, tuple[int, int]], values: dict[str, tuple[int, int]]) -> None:
        store_fields(self, locals())


def parse_markup(text: str):
    """The HTML5 tree's root of a text (scripting enabled, no sanitising), or None if the parser fails."""
    from auditor.parse.html_tree import parse

    try:
        return parse(text)
    except Exception:  # a parser defect must not stop the audit; the page is then not read
        return None


def collect(root, *, inert: bool = False, in_head: bool = False) -> list[Tag]:
    """Every element under `root` in document order, template contents included (marked inert)."""
    found: list[Tag] = []
    stack = [(child, inert, in_head) for child in reversed(root.children or [])]
    while stack:
        node, node_inert, node_head = stack.pop()
        name = getattr(node, "name", "")
        if not name or name.startswith("#"):
            continue
        text = "".join(c.data for c in (node.children or []) if getattr(c, "name", "") == "#text" and isinstance(c.data, str))
        found.append(Tag(name, node.namespace or "html", dict(node.attrs or {}), node.origin_offset, text, node_inert, node_head))
        inside_head = node_head or (name == "head" and (node.namespace or "html") == "html")
        content = getattr(node, "template_content", None)
        stack.extend((child, node_inert, inside_head) for child in reversed(node.children or []))
        if content is not None:
            stack.extend((child, True, inside_head) for child in reversed(content.children or []))
    return found


def build_document(resource: Resource, text: str, index: TextIndex, outer=None, parent=None, origin="file") -> Document | None:
    root = parse_markup(text)
    if root is None:
        return None
    tags = collect(root)
    outer = outer or (lambda offset: offset)
    for tag in tags:
        if tag.offset is not None:
            tag.sourceline, column = index.position(outer(tag.offset))
            tag.sourcepos = column - 1
    return Document(resource, text, tags, outer, parent, origin)


def documents(ctx) -> Iterable[Document]:
    """The HTML documents of the resources in scope (and those nested in them), parsed once per scope.

    Inside the engine's per-resource scope that is one page, kept while its rules
    run; outside one, every page in turn, none kept (`Context.per_resource`).
    """

    def build() -> list[Document]:
        parsed = []
        for resource in ctx.in_scope(*HTML_MIME_TYPES):
            text = ctx.text(resource)
            index = ctx.text_index(resource)
            if text is None or index is None:
                continue
            document = build_document(resource, text, index)
            if document is None:
                continue
            parsed.append(document)
            parsed.extend(nested_documents(document, index, 1))
        return parsed

    return ctx.per_resource("html-documents", build)


# --- documents inside documents ---------------------------------------------------------------------

CHARACTER_REFERENCE = LazyPattern(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def decoded_map(raw: str, base: int, decoded: str) -> Callable[[int], int]:
    """Offset in the decoded attribute value -> offset of the raw character(s) it came from.

    Character references are decoded one by one to learn where each decoded
    character sits; when that reading disagrees with the parser's value (a rare
    legacy reference), every offset maps to the start of the value instead.
    """
    import html

    starts: list[int] = []
    pieces: list[str] = []
    position = 0
    for match in CHARACTER_REFERENCE.finditer(raw):
        for i in range(position, match.start()):
            starts.append(base + i)
        pieces.append(raw[position:match.start()])
        value = html.unescape(match.group(0))
        starts.extend([base + match.start()] * len(value))
        pieces.append(value)
        position = match.end()
    starts.extend(base + i for i in range(position, len(raw)))
    pieces.append(raw[position:])
    if "".join(pieces) != decoded:
        return lambda offset: base
    end = base + len(raw)
    return lambda offset: starts[offset] if 0 <= offset < len(starts) else end


def data_url_html(url: str) -> tuple[str, bool] | None:
    """The markup of a `data:text/html` URL and whether it was written plainly (not base64)."""
    head, sep, body = url.strip().partition(",")
    if not sep or not head.lower().startswith("data:"):
        return None
    params = [p.strip().lower() for p in head[5:].split(";")]
    if params[0] not in ("text/html", "application/xhtml+xml"):
        return None
    raw = unquote_to_bytes(body)
    if "base64" in params[1:]:
        import base64  # only for a base64 data: URL
        import binascii

        try:
            raw = base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=False)
        except (binascii.Error, ValueError):
            return None
        return raw.decode("utf-8", "replace"), False
    return raw.decode("utf-8", "replace"), "%" not in body


def nested_documents(document: Document, index: TextIndex, depth: int) -> list[Document]:
    """`<iframe srcdoc>` and `<iframe src="data:text/html,…">` documents, positioned in the outer file."""
    if depth > MAX_NESTED_DEPTH:
        return []
    found = []
    for tag in document.elements("iframe", "frame"):
        scanned = start_tag(document, tag)
        if scanned is None:
            continue
        srcdoc = tag.get("srcdoc")
        src = tag.get("src")
        child = None
        if isinstance(srcdoc, str) and len(srcdoc) <= MAX_DOCUMENT_CHARS:
            start, end = scanned.values.get("srcdoc", (scanned.start, scanned.start))
            mapping = decoded_map(document.text[start:end], 0, srcdoc)
            child = build_document(document.resource, srcdoc, index, lambda o, m=mapping, b=start, d=document: d.outer(b + m(o)), tag, "srcdoc")
        elif isinstance(src, str) and src.strip().lower().startswith("data:") and "srcdoc" not in tag.attrs:
            decoded = data_url_html(src)
            if decoded is not None and len(decoded[0]) <= MAX_DOCUMENT_CHARS:
                markup, plain = decoded
                start, _ = scanned.values.get("src", (scanned.start, scanned.start))
                comma = document.text.find(",", start) + 1 if plain else start
                body_start = comma if plain and comma > 0 else start
                child = build_document(
                    document.resource, markup, index,
                    (lambda o, b=body_start, d=document: d.outer(b + o)) if plain else (lambda o, b=start, d=document: d.outer(b)),
                    tag, "data",
                )
        if child is not None:
            found.append(child)
            found.extend(nested_documents(child, index, depth + 1))
    return found


# --- positions ----------------------------------------------------------------------------------------


def tag_span(tag: Tag) -> Span | None:
    if tag.sourceline is None or tag.sourcepos is None:
        return None
    return Span(tag.sourceline, tag.sourcepos + 1, tag.sourceline, tag.sourcepos + 2 + len(tag.name))


def start_tag(document: Document, tag: Tag) -> StartTag | None:
    """Scan the tag's start tag in the document text: attribute ranges and where it ends.

    Follows the HTML5 tokenizer: an attribute name runs to whitespace, `/`, `>`
    or `=` (a leading `=` belongs to the name); unquoted values run to
    whitespace or `>`; the first of two same-named attributes wins.
    """
    start, text = tag.offset, document.text
    if start is None or not text.startswith("<", start):
        return None
    limit = len(text)
    pos = start + 1
    while pos < limit and not text[pos].isspace() and text[pos] not in "/>":
        pos += 1
    attributes: dict[str, tuple[int, int]] = {}
    values: dict[str, tuple[int, int]] = {}
    while pos < limit:
        while pos < limit and (text[pos] in " \t\n\f\r/"):
            pos += 1
        if pos >= limit or text[pos] == ">":
            break
        name_start = pos
        pos += 1  # the first character is part of the name, even "="
        while pos < limit and text[pos] not in " \t\n\f\r/>=":
            pos += 1
        name = text[name_start:pos].lower()
        probe = pos
        while probe < limit and text[probe] in " \t\n\f\r":
            probe += 1
        value = (pos, pos)
        if probe < limit and text[probe] == "=":
            pos = probe + 1
            while pos < limit and text[pos] in " \t\n\f\r":
                pos += 1
            if pos < limit and text[pos] in "\"'":
                close = text.find(text[pos], pos + 1)
                value = (pos + 1, limit if close == -1 else close)
                pos = limit if close == -1 else close + 1
            else:
                value_start = pos
                while pos < limit and text[pos] not in " \t\n\f\r>":
                    pos += 1
                value = (value_start, pos)
        attributes.setdefault(name, (name_start, pos))
        values.setdefault(name, value)
    return StartTag(start, min(pos + 1, limit), attributes, values)


def attribute_location(ctx, document: Document, tag: Tag, name: str) -> Location:
    """The attribute `name=value` itself, or the tag when the scan cannot place it."""
    scanned = start_tag(document, tag)
    if scanned is not None and name.lower() in scanned.attributes:
        start, end = scanned.attributes[name.lower()]
        outer_start = document.outer(start)
        outer_end = document.outer(end - 1) + 1 if end > start else outer_start
        return ctx.text_location(document.resource, outer_start, max(outer_start, outer_end))
    return tag_location(document, tag)


def tag_location(document: Document, tag: Tag) -> Location:
    return Location(resource=document.resource.path, span=tag_span(tag))


def tag_offset(ctx, document: Document, tag: Tag) -> int | None:
    return None if tag.offset is None else document.outer(tag.offset)


def script_type(tag: Tag) -> str:
    """What a `<script>` is, as the HTML standard's "prepare the script element" decides.

    Returns "" for a classic script, "module", "importmap", "speculationrules",
    or the lower-cased type for anything else (a data block, which never runs).
    `language` counts only when `type` is absent: `language="vbscript"` is a
    data block. A MIME type with parameters is not a JavaScript MIME type.
    """
    value = tag.get("type")
    if value is None:
        language = tag.get("language")
        if language is None or language == "":
            return ""
        value = "text/" + language
    stripped = value.strip(" \t\n\f\r")
    if value == "" or stripped == "":
        return ""
    lowered = stripped.lower()
    if lowered in JAVASCRIPT_MIME_TYPES:
        return ""
    return lowered


def runs_as_script(tag: Tag) -> bool:
    """Whether a `<script>` element executes or is parsed as script (then CSP judges it).

    `nomodule` classic scripts never run in a browser with module support.
    """
    kind = script_type(tag)
    if kind not in ("", "module", "importmap", "speculationrules"):
        return False
    return not (kind == "" and tag.has_attr("nomodule"))


def script_source(tag: Tag) -> tuple[str, str] | None:
    """(attribute, URL) a `<script>` loads from: `src`, or in SVG `href`/`xlink:href`; None when inline."""
    names = ("src",) if tag.namespace == "html" else ("href", "xlink:href")
    for name in names:
        value = tag.get(name)
        if isinstance(value, str):
            return name, value
    return None


class InlineBlock(FrozenRecord):
    """The body of an inline `<script>` or `<style>`: its text and where it starts in the resource text."""

    __slots__ = ("document", "offset", "tag", "text")
    document: Document
    tag: Tag
    text: str
    offset: int  # character offset of the body in the resource text (exact for files; nested: its start)

    def __init__(self, document: Document, tag: Tag, text: str, offset: int) -> None:
        store_fields(self, locals())


def inline_blocks(ctx, name: str) -> Iterable[InlineBlock]:
    """Bodies of inline `<script>` (without `src`, that run) or `<style>` elements, with their offsets."""

    def build() -> list[InlineBlock]:
        blocks = []
        for document in documents(ctx):
            for tag in document.elements(name):
                if name == "script" and (script_source(tag) is not None or not runs_as_script(tag)):
                    continue
                scanned = start_tag(document, tag)
                if scanned is None:
                    continue
                blocks.append(InlineBlock(document, tag, tag.text, document.outer(scanned.end)))
        return blocks

    return ctx.per_resource(("inline-blocks", name), build)
