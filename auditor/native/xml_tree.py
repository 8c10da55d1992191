"""A small positioned XML tree, parsed with defusedxml (no entity expansion, no external reads).

Android resource files and XML plists are hostile input like everything else:
defusedxml refuses entity declarations (billion laughs) and external entities
and DTD fetches, so nothing outside the given bytes is ever read. Expat tells
where each element starts; attribute positions are found by scanning that
start tag, so a finding can land on the attribute itself.
"""

from __future__ import annotations

import io
import re
import xml.sax
import xml.sax.handler
from dataclasses import dataclass, field

XMLNS = "http://www.w3.org/2000/xmlns/"
MAX_DEPTH = 256
MAX_ELEMENTS = 200_000


class XmlProblem(ValueError):
    """Why a document could not be read; `offset` is a character offset when known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(slots=True, eq=False)
class Element:
    """One element: its name as written, namespaced attributes, children, text, and where it is."""

    name: str                                   # qualified name as written (`application`, `android:x` never)
    local: str                                  # local part of the name
    attrs: dict[tuple[str, str], str]           # (namespace URI or "", local name) -> value
    attr_names: dict[tuple[str, str], str]      # the same key -> the attribute's name as written
    start: int                                  # character offset of `<`
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def get(self, namespace: str, local: str) -> str | None:
        return self.attrs.get((namespace, local))

    def find_all(self, local: str) -> list[Element]:
        return [c for c in self.children if c.local == local]

    def ancestors(self) -> list[Element]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


@dataclass(slots=True)
class XmlDocument:
    text: str
    root: Element

    def attribute_span(self, element: Element, namespace: str, local: str) -> tuple[int, int]:
        """Character range of `name="value"` inside the element's start tag (the tag when not found)."""
        written = element.attr_names.get((namespace, local))
        tag_end = _tag_end(self.text, element.start)
        if written is not None:
            match = re.compile(r"(?<![\w:.-])" + re.escape(written) + r"\s*=\s*(\"[^\"]*\"|'[^']*')").search(self.text, element.start, tag_end)
            if match:
                return match.start(), match.end()
        return self.element_span(element)

    def element_span(self, element: Element) -> tuple[int, int]:
        """Character range of the element's start tag."""
        return element.start, _tag_end(self.text, element.start)


def _tag_end(text: str, start: int) -> int:
    """Offset just after the `>` closing the start tag at `start` (quotes respected)."""
    quote = None
    for i in range(start, min(len(text), start + 1_000_000)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
    return min(len(text), start + 1)


class _Builder(xml.sax.handler.ContentHandler):
    """Builds Elements; resolves namespace prefixes itself (names stay as written for messages)."""

    def __init__(self, line_starts: list[int], raw_lines: list[bytes]) -> None:
        super().__init__()
        self.locator = None
        self.line_starts = line_starts
        self.raw_lines = raw_lines
        self.stack: list[tuple[Element, dict[str, str]]] = []
        self.root: Element | None = None
        self.count = 0

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    def _offset(self) -> int:
        line = max(1, self.locator.getLineNumber()) if self.locator else 1
        column = max(0, self.locator.getColumnNumber()) if self.locator else 0
        if line - 1 >= len(self.line_starts):
            return self.line_starts[-1]
        raw = self.raw_lines[line - 1] if line - 1 < len(self.raw_lines) else b""
        chars = len(raw[:column].decode("utf-8", "replace"))  # expat counts bytes
        return self.line_starts[line - 1] + chars

    def startElement(self, name, attrs) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise XmlProblem(f"more than {MAX_ELEMENTS} elements")
        if len(self.stack) >= MAX_DEPTH:
            raise XmlProblem(f"elements nested deeper than {MAX_DEPTH}")
        scope = dict(self.stack[-1][1]) if self.stack else {"xml": "http://www.w3.org/XML/1998/namespace"}
        for key, value in attrs.items():
            if key == "xmlns":
                scope[""] = value
            elif key.startswith("xmlns:"):
                scope[key[6:]] = value
        resolved: dict[tuple[str, str], str] = {}
        written: dict[tuple[str, str], str] = {}
        for key, value in attrs.items():
            prefix, _, local = key.rpartition(":")
            ns_key = (XMLNS, local) if key == "xmlns" or prefix == "xmlns" else (scope.get(prefix, prefix) if prefix else "", local)
            resolved[ns_key] = value
            written[ns_key] = key
        parent = self.stack[-1][0] if self.stack else None
        element = Element(name=name, local=name.rpartition(":")[2], attrs=resolved, attr_names=written, start=self._offset(), parent=parent)
        if parent is not None:
            parent.children.append(element)
        else:
            self.root = element
        self.stack.append((element, scope))

    def endElement(self, name) -> None:
        element, _ = self.stack.pop()
        element.text = element.text.strip()

    def characters(self, content) -> None:
        if self.stack and len(self.stack[-1][0].text) < 65536:
            self.stack[-1][0].text += content


def parse_xml(data: bytes) -> XmlDocument:
    """Parse bytes into a positioned tree; raises XmlProblem (never anything else) on refusal."""
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[0].startswith(b"\xef\xbb\xbf"):
        raw_lines[0] = raw_lines[0][3:]
    line_starts = [0]
    for line in raw_lines[:-1]:
        line_starts.append(line_starts[-1] + len(line.decode("utf-8", "replace")) + 1)
    # Imported here: the expat reader pulls in urllib.request, http.client and email (~40 ms),
    # which an audit without native XML never needs.
    from defusedxml import DefusedXmlException
    from defusedxml.expatreader import DefusedExpatParser

    builder = _Builder(line_starts, raw_lines)
    # Entities are refused; the external DTD subset every plist names is never fetched
    # (external general and parameter entities are off), so `forbid_external` stays off.
    parser = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setFeature(xml.sax.handler.feature_namespaces, False)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    parser.setContentHandler(builder)
    parser.setEntityResolver(_NoEntities())
    try:
        parser.parse(io.BytesIO(data))
    except DefusedXmlException as exc:
        raise XmlProblem(f"refused: {type(exc).__name__} ({exc}); entity declarations and external references are not allowed", builder._offset()) from None
    except xml.sax.SAXParseException as exc:
        offset = _line_col(line_starts, exc.getLineNumber(), exc.getColumnNumber())
        raise XmlProblem(f"not well-formed XML: {exc.getMessage()} (line {exc.getLineNumber()}, column {exc.getColumnNumber() + 1})", offset) from None
    except xml.sax.SAXException as exc:
        raise XmlProblem(f"not readable XML: {exc.getMessage()}") from None
    except RecursionError:
        raise XmlProblem("nesting too deep") from None
    if builder.root is None:
        raise XmlProblem("no root element")
    return XmlDocument(text=text, root=builder.root)


def _line_col(line_starts: list[int], line: int, column: int) -> int | None:
    if line is None or line < 1 or line > len(line_starts):
        return None
    return line_starts[line - 1] + max(0, column or 0)


class _NoEntities(xml.sax.handler.EntityResolver):
    """Belt and braces: an external entity resolves to nothing, never to a file or URL."""

    def resolveEntity(self, publicId, systemId):
        raise XmlProblem(f"external entity `{systemId}` refused")
