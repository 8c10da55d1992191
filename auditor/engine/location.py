"""Where a finding is: the one place where offsets become 1-based lines and columns.

Columns count Unicode code points (SARIF `columnKind: unicodeCodePoints`), so a
minified one-line file and non-ASCII text both keep exact positions.
"""

from __future__ import annotations

import bisect
import re

from auditor.engine.record import FrozenRecord, store_fields


class Span(FrozenRecord):
    """A text range: 1-based lines, 1-based code-point columns; end is exclusive."""

    __slots__ = ("end_column", "end_line", "start_column", "start_line")
    start_line: int
    start_column: int
    end_line: int
    end_column: int

    def __init__(self, start_line: int, start_column: int, end_line: int, end_column: int) -> None:
        store_fields(self, locals())


class Location(FrozenRecord):
    """A place in the input.

    `resource` is the resource path inside the audited input ("/index.html"),
    or None for the container itself (the bundle file, the update manifest).
    """

    __slots__ = ("byte_range", "file", "note", "pointer", "resource", "span")
    resource: str | None
    span: Span | None
    byte_range: tuple[int, int] | None  # (offset, length) in the container file
    pointer: str | None  # JSON pointer, header name or structural path
    note: str | None
    file: str | None  # a repository file (absolute posix path) the span is in, when a finding was mapped to the author's source

    def __init__(
        self,
        resource: str | None = None,
        span: Span | None = None,
        byte_range: tuple[int, int] | None = None,
        pointer: str | None = None,
        note: str | None = None,
        file: str | None = None,
    ) -> None:
        store_fields(self, locals())


NEWLINE = re.compile("\n")


class TextIndex:
    """Maps character offsets in a text to (line, column) in O(log n)."""

    __slots__ = ("_line_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0, *(newline.end() for newline in NEWLINE.finditer(text))]  # 2x a find() loop on big bundles

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self._line_starts)))
        return self._line_starts[line - 1] + column - 1

    def span(self, start: int, end: int) -> Span:
        """Span of the character range [start, end)."""
        sl, sc = self.position(start)
        el, ec = self.position(max(start, end))
        return Span(sl, sc, el, ec)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self._line_starts)
