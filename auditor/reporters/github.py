"""GitHub Actions workflow commands: one `::error file=…,line=…::message` annotation per finding.

GitHub shows at most 10 error and 10 warning annotations per step (50 per job)
and drops the rest silently, so past that a notice says to upload the SARIF
instead. Values are escaped as the runner expects (`%`, CR, LF; plus `:` and
`,` inside properties).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.engine.findings import Level
from auditor.engine.runner import Report
from auditor.reporters.places import place

COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}
SHOWN_PER_STEP = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report | Sequence[Report], *, base: Path, source_root: Path | None = None, **_: object) -> str:
    lines = []
    counts = {level: 0 for level in COMMAND}
    reports = [report] if isinstance(report, Report) else list(report)
    for one, finding in ((r, f) for r in reports for f in r.active()):
        where = place(one.bundle, one.source, finding.location, base, source_root)
        props = [f"file={escape_property(where.path)}"]
        span = where.span if where.text_in_file else None
        if span is not None:
            props += [f"line={span.start_line}", f"col={span.start_column}", f"endLine={span.end_line}", f"endColumn={span.end_column}"]
        props.append(f"title={escape_property(f'{finding.rule_id} {finding.rule_name}')}")
        message = finding.message if not where.inner else f"{where.inner}: {finding.message}"
        lines.append(f"::{COMMAND[finding.level]} {','.join(props)}::{escape_data(message)}")
        counts[finding.level] += 1
    over = [f"{n} {COMMAND[level]}s" for level, n in counts.items() if n > SHOWN_PER_STEP]
    if over:
        notice = f"GitHub shows only {SHOWN_PER_STEP} annotations per level in a step; this run has {', '.join(over)}. Upload the SARIF (--format sarif) to see all."
        lines.append(f"::notice title=iwa-audit::{escape_data(notice)}")
    return "\n".join(lines) + ("\n" if lines else "")
