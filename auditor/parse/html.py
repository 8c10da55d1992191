"""HTML parsed once per audit with beautifulsoup4 (`html.parser`, which keeps source positions).

Every tag carries `sourceline` (1-based) and `sourcepos` (0-based code-point
column) of its start; `tag_span` turns them into a finding's span.
"""

from __future__ import annotations

from auditor.location import Span
from auditor.model import Resource

HTML_MIME_TYPES = ("text/html", "application/xhtml+xml")


def documents(ctx) -> list[tuple[Resource, object]]:
    """(resource, soup) for every HTML resource the limits allow."""

    def build():
        from bs4 import BeautifulSoup

        parsed = []
        for resource in ctx.resources(*HTML_MIME_TYPES):
            text = ctx.text(resource)
            if text is not None:
                parsed.append((resource, BeautifulSoup(text, "html.parser")))
        return parsed

    return ctx.memo("html-documents", build)


def tag_span(tag) -> Span | None:
    line, column = getattr(tag, "sourceline", None), getattr(tag, "sourcepos", None)
    if line is None or column is None:
        return None
    return Span(line, column + 1, line, column + 2 + len(tag.name))
