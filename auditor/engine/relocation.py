"""Findings in the author's source: the runner's last step before sorting.

A finding in built JS/CSS/HTML whose original `Mapper` finds under the
repository gets that file and span as its location and the built place as
`built`; its fingerprint is recomputed from the original's repository path and
a content anchor there, so a rebuild that renames `index-3f9a1c.js` leaves
baselines intact, and its snippet is the original line. An original outside
the repository (or stale, or only in `sourcesContent`) is named in the
finding's properties and the built location stays primary. Findings in a
map's `ignoreList` sources are tagged `vendored` (dropped with
`Settings.ignore_vendored`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.engine.findings import Finding, Hit, fingerprint
from auditor.engine.location import Location, TextIndex
from auditor.engine.map_hints import may_have_original
from auditor.engine.record import replace
from auditor.engine.suppressions import ORIGINALS_KEY

if TYPE_CHECKING:  # mapping (and the source-map parser) is imported only when findings are relocated
    from auditor.engine.mapping import Original

VENDORED = "vendored"


def repository_root(source: Path, settings) -> Path:
    """Where originals may live: the setting, else the git work tree holding the input, else the current folder."""
    if settings.repository is not None:
        return Path(settings.repository)
    start = Path(os.path.abspath(settings.source_root or source))
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return Path.cwd()


def relocate(findings: list[Finding], located: Sequence[tuple[int, Hit]], ctx) -> tuple[list[Finding], list[str]]:
    """The findings with mapped locations (and vendored ones dropped when asked), plus notes for the report."""
    settings = ctx.settings
    bundle = ctx.bundle
    wanted = []
    hopeful: dict[str, bool] = {}  # resource path -> whether it may have an original (map_hints)
    for number, hit in located:
        path = hit.location.resource
        if path not in hopeful:
            resource = bundle.resources.get(path)
            hopeful[path] = resource is not None and may_have_original(resource, bundle, settings, ctx.text)
        if hopeful[path]:
            wanted.append((number, hit))
    if not wanted:
        return findings, []  # no map or copy to look in: the mapping modules are not imported
    from auditor.engine.mapping import Mapper

    root = repository_root(bundle.source, settings)
    mapper = Mapper(
        bundle,
        root=root,
        text_of=ctx.text,
        index_of=ctx.text_index,
        json_of=ctx.json_value,
        source_root=settings.source_root,
        maps_dir=settings.source_maps,
        max_map_bytes=ctx.limits.max_source_map_bytes,
        max_text_bytes=ctx.limits.max_text_resource_bytes,
    )
    originals = mapper.locate((hit.location.resource, hit.location.span) for _, hit in wanted)
    out = list(findings)
    dropped: set[int] = set()
    texts: dict[str, tuple[str, TextIndex]] = ctx.session.cache.setdefault(ORIGINALS_KEY, {})
    for number, hit in wanted:
        original = originals.get((hit.location.resource, hit.location.span))
        if original is None:
            continue
        if original.ignored and settings.ignore_vendored:
            dropped.add(number)
            continue
        out[number] = moved(out[number], hit, original, mapper.root, texts)
    kept = [f for n, f in enumerate(out) if n not in dropped]
    return kept, mapper.notes


def moved(finding: Finding, hit: Hit, original: Original, root: Path, texts: dict[str, tuple[str, TextIndex]]) -> Finding:
    """The finding at its original, or at its built place with the original named when that is not a repository file."""
    tags = (*finding.tags, VENDORED) if original.ignored else finding.tags
    span = original.span
    if original.path is None:
        where = f"{original.source}:{span.start_line}:{span.start_column}"
        properties = (*finding.properties, ("originalSource", where), *((("originalNote", original.note),) if original.note else ()))
        return replace(finding, properties=properties, tags=tags)
    file = (root / original.path).as_posix()
    if original.index is not None:
        texts[file] = (original.path, original.index)
    snippet, start = _window(original.line_text, span.start_column)
    anchor = hit.anchor or hit.location.pointer or " ".join(original.line_text.split()) or hit.message
    return replace(
        finding,
        location=Location(span=span, pointer=hit.location.pointer, note=hit.location.note, file=file),
        built=finding.location,
        fingerprint=fingerprint(finding.rule_id, original.path, anchor),
        snippet=snippet if original.index is not None else None,
        snippet_start=start,
        tags=tags,
    )


def _window(line: str, column: int) -> tuple[str, int]:
    """The line, or a window of it around the column when long (the runner's rule for snippets)."""
    from auditor.engine.runner import MAX_LINE, WINDOW_MARGIN

    if len(line) <= MAX_LINE:
        return line, 0
    start = max(0, column - 1 - WINDOW_MARGIN)
    return line[start : start + 2 * WINDOW_MARGIN], start
