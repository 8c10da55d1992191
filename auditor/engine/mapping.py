"""From a built location to the author's source: source maps and the build folder.

Given findings' (resource, span) places in built JS/CSS/HTML, `Mapper.locate`
finds where the author wrote them: through the resource's source map (found
by the `SourceMap` header, the `sourceMappingURL` comment, a sibling `.map`,
or `--source-maps DIR`), after mapping a bundle's resource to its file in the
build folder (`--source-root`) when that file is the same bytes; and, for
HTML, the same text in the HTML file the build copied.

Everything here is lazy (a map is found and decoded only when a finding lands
in its file, once for all of that file's findings) and confined: a map or a
source is read only from inside the build folder, `--source-maps` or the
repository, never from a remote URL, and a bad map becomes a note.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

from auditor.engine.location import Span, TextIndex
from auditor.engine.map_hints import HTML_TYPES, MAP_HEADERS, is_script
from auditor.engine.model import Bundle, InputKind, Resource
from auditor.parse.sourcemap import (
    DEFAULT_MAX_MAP_BYTES,
    SourceMapError,
    cp_to_utf16,
    map_from_json,
    map_url_of,
    parse_map,
    utf16_to_cp,
)

if TYPE_CHECKING:
    from auditor.parse.sourcemap import SourceMap

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
PSEUDO_SCHEMES = ("webpack:", "webpack-internal:", "rollup:", "vite:")  # bundler namespaces, not network
MIN_LINE_MATCH = 20  # a single HTML line is trusted as a copy only when it is at least this long


class Original(NamedTuple):
    """Where a built span was written, as far as the build's maps tell (a NamedTuple: cheaper to define than a dataclass)."""

    source: str                # the source as resolved: repository path, bundle URL or remote URL
    path: str | None           # repository-relative posix path when that file exists under the repository
    span: Span                 # 1-based lines, code-point columns, in the original
    index: TextIndex | None    # the original's text (file or `sourcesContent`), for snippets and anchors
    name: str | None = None    # the map's `names` entry for the covering segment
    ignored: bool = False      # the source is in the map's `ignoreList` (vendored, generated)
    note: str | None = None    # why the original is not the primary location, when it is not

    @property
    def line_text(self) -> str:
        return self.index.line_text(self.span.start_line) if self.index is not None else ""


class _Base(NamedTuple):
    """Where a map lives, to resolve its relative `sources`: a folder on disk or a URL folder in the bundle."""

    disk: Path | None = None
    url: str | None = None


class _Found:
    __slots__ = ("base", "map", "where")

    def __init__(self, map: SourceMap | None, base: _Base, where: str) -> None:
        self.map = map
        self.base = base
        self.where = where  # how the map was found, for notes


class Mapper:
    """Maps built spans to originals for one audit; caches maps and original texts."""

    def __init__(
        self,
        bundle: Bundle,
        *,
        root: Path,
        text_of: Callable[[Resource], str | None],
        index_of: Callable[[Resource], TextIndex | None],
        json_of: Callable[[Resource], object] | None = None,
        source_root: Path | None = None,
        maps_dir: Path | None = None,
        max_map_bytes: int = DEFAULT_MAX_MAP_BYTES,
        max_text_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.bundle = bundle
        self.root = _real(root)
        self.text_of = text_of
        self.index_of = index_of
        self.json_of = json_of  # a resource's text parsed as JSON by the audit (shared with rules), or None
        self.source_root = _real(source_root) if source_root is not None else None
        self.maps_dir = _real(maps_dir) if maps_dir is not None else None
        self.build_dir = _real(bundle.source) if bundle.kind is InputKind.FOLDER else self.source_root
        self.max_map_bytes = max_map_bytes
        self.max_text_bytes = max_text_bytes
        self.notes: list[str] = []
        self._maps: dict[str, _Found | None] = {}
        self._texts: dict[Path, TextIndex | None] = {}
        self._built_files: dict[str, Path | None] = {}

    # -- public -------------------------------------------------------------------------------

    def locate(self, places: Iterable[tuple[str, Span]]) -> dict[tuple[str, Span], Original]:
        """Originals for as many (resource path, span) places as the build allows; the rest are absent."""
        by_resource: dict[str, list[Span]] = {}
        for resource_path, span in places:
            by_resource.setdefault(resource_path, []).append(span)
        out: dict[tuple[str, Span], Original] = {}
        for resource_path, spans in by_resource.items():
            resource = self.bundle.resources.get(resource_path)
            if resource is None:
                continue
            if is_script(resource):
                found = self._script(resource, spans)
            elif resource.mime_type in HTML_TYPES:
                found = self._html(resource, spans)
            else:
                continue
            out.update(((resource_path, span), original) for span, original in found.items())
        return out

    # -- scripts and style sheets, through their maps -----------------------------------------

    def _script(self, resource: Resource, spans: list[Span]) -> dict[Span, Original]:
        found = self._map_for(resource)
        if found is None or found.map is None:
            return {}
        index = self.index_of(resource)
        if index is None:
            return {}
        queries: dict[tuple[int, int], None] = {}
        points: list[tuple[Span, tuple[int, int], tuple[int, int] | None]] = []
        for span in spans:
            start = _generated(index, span.start_line, span.start_column)
            end = None
            if (span.end_line, span.end_column) > (span.start_line, span.start_column) and span.end_column > 1:
                end = _generated(index, span.end_line, span.end_column - 1)  # the last character, inclusive
            queries[start] = None
            if end is not None:
                queries[end] = None
            points.append((span, start, end))
        try:
            segments = found.map.lookup_many(queries)
        except SourceMapError as error:
            self._note(f"{resource.path}: the source map ({found.where}) is unusable: {error}; findings stay in the built file")
            found.map = None
            return {}
        for problem in found.map.problems[:1]:
            self._note(f"{resource.path}: the source map ({found.where}) has bad segments ({problem}); those positions stay in the built file")
        out: dict[Span, Original] = {}
        for span, start, end in points:
            segment = segments.get(start)
            if segment is None:
                continue
            source = segment.source
            if source is None:
                continue
            display, disk, why = self._resolve_source(source, found.base)
            original_index, why = self._original_text(disk, segment.content, display, why)
            start_line, start_col = _original(index, start, segment, original_index)
            end_line, end_col = start_line, start_col + 1
            end_segment = segments.get(end) if end is not None else None
            if end_segment is not None and end_segment.map is segment.map and end_segment.source_index == segment.source_index:
                line, col = _original(index, end, end_segment, original_index)
                if (line, col) >= (start_line, start_col):
                    end_line, end_col = line, col + 1
            path = None if why else self._repo_path(disk) if disk is not None else None
            out[span] = Original(
                source=path or display,
                path=path,
                span=Span(start_line, start_col, end_line, end_col),
                index=original_index,
                name=segment.name,
                ignored=segment.ignored,
                note=why,
            )
        return out

    def _map_for(self, resource: Resource) -> _Found | None:
        if resource.path not in self._maps:
            try:
                self._maps[resource.path] = self._find_map(resource)
            except SourceMapError as error:
                self._note(f"{resource.path}: {error}; findings stay in the built file")
                self._maps[resource.path] = None
        return self._maps[resource.path]

    def _find_map(self, resource: Resource) -> _Found | None:
        """The header, then the comment, then a sibling `.map`, then `--source-maps`; via the build folder first."""
        built = self._built_file(resource)
        text = self.text_of(resource)
        css = resource.mime_type == "text/css" or resource.path.endswith(".css")
        reference = next((resource.headers[h] for h in MAP_HEADERS if resource.headers.get(h)), None)
        if reference is None and text is not None:
            reference = map_url_of(text, css=css)
        own_base = _Base(disk=built.parent) if built is not None else _Base(url=posixpath.dirname(resource.path) + "/")
        if reference is not None and reference.lower().startswith("data:"):
            from auditor.parse.sourcemap_rare import decode_data_url

            return _Found(parse_map(decode_data_url(reference, max_bytes=self.max_map_bytes), max_bytes=self.max_map_bytes), own_base, "inline data: URL")
        candidates: list[tuple[str, Path | str]] = []  # (how, disk path or bundle path)
        if reference is not None:
            if SCHEME.match(reference):
                self._note(f"{resource.path}: the source map {reference} is remote and was not fetched")
            else:
                ref_path = unquote(urlsplit(reference).path)
                if built is not None:
                    candidates.append(("sourceMappingURL", built.parent / ref_path))
                candidates.append(("sourceMappingURL", posixpath.normpath(posixpath.join(posixpath.dirname(resource.path), ref_path))))
        if built is not None:
            candidates.append(("sibling .map", built.with_name(built.name + ".map")))
        candidates.append(("sibling .map", resource.path + ".map"))
        if self.maps_dir is not None:
            names = [resource.path.lstrip("/") + ".map", posixpath.basename(resource.path) + ".map"]
            if reference is not None and not SCHEME.match(reference):
                ref_path = unquote(urlsplit(reference).path)
                names += [posixpath.normpath(posixpath.join(posixpath.dirname(resource.path.lstrip("/")), ref_path)).lstrip("/"), posixpath.basename(ref_path)]
            candidates.extend(("--source-maps", self.maps_dir / name) for name in names)
        for how, where in candidates:
            if isinstance(where, Path):
                allowed = self.maps_dir if how == "--source-maps" else self.build_dir
                real = self._confined(where, allowed, self.max_map_bytes)
                if real is None:
                    continue
                parsed = self._parse_file(real)
                if parsed is not None:
                    return _Found(parsed, _Base(disk=real.parent), f"{how} {self._show(where)}")
            else:
                found = self.bundle.resources.get(where) if where.startswith("/") else None
                if found is not None:
                    if found.size > self.max_map_bytes:
                        raise SourceMapError(f"the source map {where} is {found.size} bytes, over the {self.max_map_bytes}-byte limit")
                    return _Found(self._parse(found), _Base(url=posixpath.dirname(where) + "/"), f"{how} {where}")
        return None

    def _parse(self, resource: Resource) -> SourceMap:
        """The map in a resource: the JSON the audit parsed already when it has (one parse per map), else its bytes."""
        value = self.json_of(resource) if self.json_of is not None else None
        if isinstance(value, dict):
            return map_from_json(value)
        return parse_map(resource.body.read(self.max_map_bytes), max_bytes=self.max_map_bytes)

    def _parse_file(self, real: Path) -> SourceMap | None:
        """The map in a confined file: through its resource when the input folder holds it, else read; None if unreadable."""
        resource = self._folder_resource(real)
        if resource is not None:
            return self._parse(resource)
        try:
            data = real.read_bytes()
        except OSError:
            return None
        return parse_map(data, max_bytes=self.max_map_bytes)

    def _folder_resource(self, real: Path) -> Resource | None:
        """The input folder's resource that is this (resolved) file, if the input is a folder holding it."""
        if self.bundle.kind is not InputKind.FOLDER or self.build_dir is None or not real.is_relative_to(self.build_dir):
            return None
        rel = real.relative_to(self.build_dir).as_posix()
        resource = self.bundle.resources.get("/" + rel)
        return resource if resource is not None and resource.source_path == rel else None

    def _built_file(self, resource: Resource) -> Path | None:
        """The resource's own file in the build folder: the folder input's file, or the identical `--source-root` file."""
        if resource.path in self._built_files:
            return self._built_files[resource.path]
        path: Path | None = None
        if self.bundle.kind is InputKind.FOLDER and resource.source_path:
            path = Path(self.bundle.source) / resource.source_path
        elif self.source_root is not None:
            candidate = self.source_root / resource.path.lstrip("/")
            if resource.path.endswith("/"):
                candidate = candidate / "index.html"
            data = self._read_confined(candidate, self.source_root, resource.size) if candidate.is_file() and candidate.stat().st_size == resource.size else None
            if data is not None and data == resource.body.read(resource.size):
                path = candidate
            elif candidate.is_file():
                self._note(f"{resource.path}: {self._show(candidate)} differs from the bundle's copy; its map is not used")
        self._built_files[resource.path] = path
        return path

    # -- sources ------------------------------------------------------------------------------

    def _resolve_source(self, source: str, base: _Base) -> tuple[str, Path | None, str | None]:
        """(what to show, the file under the repository or None, why it is not usable or None)."""
        if SCHEME.match(source) and not re.match(r"^[A-Za-z]:[\\/]", source):
            lower = source.lower()
            if lower.startswith("file:"):
                path = Path(unquote(urlsplit(source).path))
                return self._confine(path, source)
            if lower.startswith(PSEUDO_SCHEMES):
                rest = source.split(":", 1)[1].lstrip("/")
                rest = rest.split("/", 1)[1] if "/" in rest and not source.split(":", 1)[1].startswith("///") else rest
                rest = posixpath.normpath(rest.split("?", 1)[0])
                if rest.startswith("../") or rest == "..":
                    return source, None, f"source {source} leaves the project"
                return self._confine(self.root / rest, source)
            return source, None, f"source {source} is remote and was not fetched"
        path_part = unquote(source.split("?", 1)[0].split("#", 1)[0])
        if base.disk is not None:
            target = Path(path_part) if os.path.isabs(path_part) else base.disk / path_part
            return self._confine(target, source)
        joined = posixpath.normpath(posixpath.join(base.url or "/", path_part))
        return (joined if joined.startswith("/") else "/" + joined), None, None

    def _confine(self, path: Path, source: str) -> tuple[str, Path | None, str | None]:
        real = _real(path)
        if not real.is_relative_to(self.root):
            return source, None, f"source {source} resolves outside the repository and was not read"
        return real.relative_to(self.root).as_posix(), real, None

    def _original_text(self, disk: Path | None, content: str | None, display: str, why: str | None) -> tuple[TextIndex | None, str | None]:
        """The original's text from the repository file (checked against `sourcesContent`) or from `sourcesContent`."""
        on_disk = self._disk_text(disk) if disk is not None and why is None else None
        if on_disk is not None and content is not None and _same(on_disk.text, content) is False:
            return TextIndex(content), f"{display} differs from the map's sourcesContent (the map is stale); the built location stays primary"
        if on_disk is not None:
            return on_disk, why
        if why is None:
            why = f"{display} is not a file of the repository" if disk is None or not disk.exists() else why
        return (TextIndex(content) if content is not None else None), why

    def _disk_text(self, path: Path) -> TextIndex | None:
        if path not in self._texts:
            data = self._read_confined(path, self.root, self.max_text_bytes)
            text = data.decode("utf-8", "replace").removeprefix("\ufeff") if data is not None else None
            self._texts[path] = TextIndex(text) if text is not None else None
        return self._texts[path]

    def _repo_path(self, path: Path) -> str | None:
        real = _real(path)
        if not real.is_relative_to(self.root) or not real.is_file():
            return None
        return real.relative_to(self.root).as_posix()

    # -- HTML copied by the build ---------------------------------------------------------------

    def _html(self, resource: Resource, spans: list[Span]) -> dict[Span, Original]:
        """Spans of an HTML resource in the HTML file the build copied it from, when the text is there verbatim."""
        index = self.index_of(resource)
        if index is None:
            return {}
        out: dict[Span, Original] = {}
        for candidate in self._html_sources(resource):
            source = self._disk_text(candidate)
            path = self._repo_path(candidate)
            if source is None or path is None:
                continue
            same = source.text == index.text
            for span in spans:
                if span in out:
                    continue
                moved = span if same else _relocate(index, source, span)
                if moved is not None:
                    out[span] = Original(source=path, path=path, span=moved, index=source)
        return out

    def _html_sources(self, resource: Resource) -> list[Path]:
        name = resource.path.lstrip("/")
        if not name or name.endswith("/"):
            name += "index.html"
        out = []
        if self.bundle.kind is not InputKind.FOLDER and self.source_root is not None:
            out.append(self.source_root / name)
        if self.build_dir is not None and self.build_dir != self.root and self.build_dir.is_relative_to(self.root):
            out.append(self.build_dir.parent / name)  # Vite: `index.html` at the project root, built into `dist/`
        return [p for p in out if _real(p).is_relative_to(self.root) and p.is_file()]

    # -- helpers ------------------------------------------------------------------------------

    def _read_confined(self, path: Path, allowed: Path | None, limit: int) -> bytes | None:
        """The file's bytes when it lies (symlinks resolved) inside `allowed` and within `limit`."""
        real = self._confined(path, allowed, limit)
        try:
            return real.read_bytes() if real is not None else None
        except OSError:
            return None

    def _confined(self, path: Path, allowed: Path | None, limit: int) -> Path | None:
        """The resolved file when it lies inside `allowed` and within `limit` (a note says when it is too large)."""
        if allowed is None:
            return None
        try:
            real = _real(path)
            if not real.is_relative_to(allowed) or not real.is_file():
                return None
            if real.stat().st_size > limit:
                self._note(f"{self._show(path)} is over the {limit}-byte limit and was not read")
                return None
            return real
        except OSError:
            return None

    def _show(self, path: Path) -> str:
        real = _real(path)
        return real.relative_to(self.root).as_posix() if real.is_relative_to(self.root) else str(path)

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def _generated(index: TextIndex, line: int, column: int) -> tuple[int, int]:
    """1-based code-point position in the built text → 0-based (line, UTF-16 column) of the map."""
    return line - 1, cp_to_utf16(index.line_text(line), column - 1)


def _original(built: TextIndex, position: tuple[int, int], segment, original: TextIndex | None) -> tuple[int, int]:
    """1-based (line, code-point column) in the original for a generated position inside `segment`.

    The segment gives where its first character came from; the rest of the
    way is added only when the built text up to the position is a verbatim copy
    of the original (a string literal, an unrenamed call), else the segment's
    own start is the honest answer.
    """
    line, column = segment.line, segment.column
    if original is None:
        return line + 1, column + 1
    orig_line = original.line_text(line + 1)
    orig_col = utf16_to_cp(orig_line, column)
    built_line = built.line_text(position[0] + 1)
    seg_col = utf16_to_cp(built_line, segment.generated_column)
    at = utf16_to_cp(built_line, position[1])
    delta = at - seg_col
    if delta > 0 and built_line[seg_col:at] == orig_line[orig_col : orig_col + delta]:
        orig_col += delta
    return line + 1, orig_col + 1


def _relocate(built: TextIndex, source: TextIndex, span: Span) -> Span | None:
    """The span moved to where the same lines stand, once, in the source text; None when not found once."""
    for radius in (2, 1, 0):
        first, last = max(1, span.start_line - radius), min(built.line_count, span.start_line + radius)
        block = "\n".join(built.line_text(n) for n in range(first, last + 1))
        if radius == 0 and len(block.strip()) < MIN_LINE_MATCH:
            return None
        at = source.text.find(block)
        if at == -1 or source.text.find(block, at + 1) != -1:
            continue
        if at and source.text[at - 1] != "\n":
            continue
        line, _ = source.position(at)
        shift = line - first
        return Span(span.start_line + shift, span.start_column, span.end_line + shift, span.end_column)
    return None
