"""Readable terminal output: `path:line:col: level[ID] message`, a snippet with a caret, help."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from auditor.engine.findings import Finding, Level
from auditor.engine.runner import Report
from auditor.reporters.places import place

COLORS = {Level.ERROR: "\033[31m", Level.WARNING: "\033[33m", Level.NOTE: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"
MAX_SNIPPET = 160


def use_color(choice: str, stream) -> bool:
    """--color auto|always|never; for auto, NO_COLOR (non-empty) turns it off, FORCE_COLOR on, TERM=dumb off."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def snippet(finding: Finding) -> list[str]:
    """The source line under a finding with a caret (the line was read when the finding was made)."""
    loc = finding.location
    if loc.span is None or finding.snippet is None:
        return []
    line = finding.snippet
    col = loc.span.start_column - finding.snippet_start
    if finding.snippet_start:
        line = "…" + line
        col += 1
    if len(line) > MAX_SNIPPET:  # keep minified files readable: a window around the column
        start = max(0, col - 1 - MAX_SNIPPET // 2)
        line = ("…" if start else "") + line[start : start + MAX_SNIPPET] + "…"
        col = col - start + (1 if start else 0)
    width = 1
    if loc.span.end_line == loc.span.start_line:
        width = max(1, min(loc.span.end_column - loc.span.start_column, len(line) - col + 1))
    return [f"    {line}", "    " + " " * (col - 1) + "^" * width]


def render(report: Report | Sequence[Report], *, base: Path, color: bool = False, source_root: Path | None = None, quiet: bool = False, **_: object) -> str:
    """Each input's findings then its one-line summary (quiet: the summary only, nothing when clean)."""
    if not isinstance(report, Report):
        return "".join(render(r, base=base, color=color, source_root=source_root, quiet=quiet) for r in report)
    out: list[str] = []
    paint = (lambda code, text: f"{code}{text}{RESET}") if color else (lambda code, text: text)
    for finding in [] if quiet else report.active():
        where = place(report.bundle, report.source, finding.location, base, source_root)
        level = paint(COLORS[finding.level], finding.level.label)
        label = where.label()
        if finding.built is not None:
            label += f" (built: {place(report.bundle, report.source, finding.built, base, source_root).label()})"
        if finding.tags:
            label += f" [{', '.join(finding.tags)}]"
        out.append(f"{paint(BOLD, label)}: {level}[{finding.rule_id}] {finding.message}")
        out.extend(paint(DIM, line) if i == 0 else paint(COLORS[finding.level], line) for i, line in enumerate(snippet(finding)))
        if finding.help:
            out.append(f"    help: {finding.help}")
        out.append(f"    = {finding.rule_name}: see `iwa-audit --explain {finding.rule_id}`")
    counts = {lvl: sum(1 for f in report.active() if f.level is lvl) for lvl in Level}
    total = sum(counts.values())
    if total:
        parts = [f"{counts[lvl]} {lvl.label}{'s' if counts[lvl] != 1 else ''}" for lvl in sorted(Level, reverse=True) if counts[lvl]]
        out.append(f"{report.source}: {total} finding{'s' if total != 1 else ''} ({', '.join(parts)})")
    elif quiet:
        return ""
    else:
        out.append(f"{report.source}: no findings")
    return "\n".join(out) + "\n"
