"""Where a finding lands in the user's files: the one mapping every reporter shares.

A finding mapped to the author's source names that repository file. Folder
inputs map a resource to its source file. A resource inside a bundle or
archive has no file of its own: the finding points at the container file, and
the inner URL travels in the message and in `properties` (never as a URI).
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.engine.location import Location, Span
from auditor.engine.model import Bundle, InputKind
from auditor.engine.record import FrozenRecord, store_fields


class Place(FrozenRecord):
    __slots__ = ("byte_range", "file", "inner", "path", "span", "text_in_file")
    path: str  # file path as shown to the user, relative to base when possible (posix)
    inner: str | None  # resource URL inside a container, when the file is the container
    span: Span | None  # text position inside `inner` (or inside `path` when inner is None)
    byte_range: tuple[int, int] | None
    text_in_file: bool  # True when `span` is a position in the file at `path`
    file: Path | None  # the file on disk `path` names, absolute (None when unknown)

    def __init__(self, path: str, inner: str | None = None, span: Span | None = None, byte_range: tuple[int, int] | None = None, text_in_file: bool = False, file: Path | None = None) -> None:
        store_fields(self, locals())

    def label(self) -> str:
        """`path`, `path!/inner`, plus `:line:col` where there is one."""
        where = self.path + (f"!{self.inner}" if self.inner else "")
        if self.span is not None:
            return f"{where}:{self.span.start_line}:{self.span.start_column}"
        if self.byte_range is not None:
            return f"{where}@{self.byte_range[0]}"
        return where


def relative_posix(path: Path, base: Path) -> str:
    """Path relative to base when it lies inside it, else as given; always with `/`."""
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix() if path.resolve().is_relative_to(base.resolve()) else path.as_posix()
    except (OSError, ValueError):
        return path.as_posix()


def absolute(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def place(bundle: Bundle | None, source: Path, location: Location, base: Path, source_root: Path | None = None) -> Place:
    """Resolve a finding's location to a user-visible file place."""
    container = relative_posix(source, base)
    if location.file is not None:  # mapped to the author's source (auditor/engine/relocation.py)
        return Place(relative_posix(Path(location.file), base), span=location.span, text_in_file=True)
    if bundle is None or location.resource is None:
        return Place(container, span=location.span, byte_range=location.byte_range, text_in_file=location.span is not None, file=absolute(source))
    resource = bundle.resources.get(location.resource)
    if bundle.kind in (InputKind.FOLDER, InputKind.CAPACITOR_PROJECT) and resource is not None and resource.source_path:
        file = source / resource.source_path
        return Place(relative_posix(file, base), span=location.span, byte_range=location.byte_range, text_in_file=True, file=absolute(file))
    if source_root is not None and resource is not None:
        candidate = source_root / location.resource.lstrip("/")
        if location.resource.endswith("/"):
            candidate = candidate / "index.html"
        if candidate.is_file():
            return Place(relative_posix(candidate, base), span=location.span, text_in_file=True, file=absolute(candidate))
    byte_range = location.byte_range or (resource.byte_range if resource is not None else None)
    return Place(container, inner=location.resource, span=location.span, byte_range=byte_range, file=absolute(source))
