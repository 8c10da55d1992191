"""Stable JSON output (schema version 1): see README "JSON output".

Keys are never renamed within a schema version; new keys may be added.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from auditor import __version__
from auditor.engine.findings import Level
from auditor.engine.runner import Report
from auditor.reporters.places import place

SCHEMA_VERSION = 1


def finding_dict(report: Report, finding, base: Path, source_root: Path | None) -> dict:
    where, spot = place_dict(report, finding.location, base, source_root)
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "level": finding.level.label,
        "message": finding.message,
        **spot,
        "byte_offset": where.byte_range[0] if where.byte_range else None,
        "byte_length": where.byte_range[1] if where.byte_range else None,
        "pointer": finding.location.pointer,
        "help": finding.help,
        "precision": finding.precision.value,
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
        "properties": dict(finding.properties),
        "tags": list(finding.tags),
        "built": place_dict(report, finding.built, base, source_root)[1] if finding.built is not None else None,
    }


def place_dict(report: Report, location, base: Path, source_root: Path | None) -> tuple:
    """(place, its JSON keys): the file, the resource inside the input and the span, for a finding or its built place."""
    where = place(report.bundle, report.source, location, base, source_root)
    span = location.span
    return where, {
        "path": where.path,
        "resource": where.inner,
        "line": span.start_line if span else None,
        "column": span.start_column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
    }


def reports_of(report: Report | Sequence[Report]) -> list[Report]:
    """One report or several (one per audited path), as a list."""
    return [report] if isinstance(report, Report) else list(report)


def input_dict(report: Report) -> dict:
    return {
        "path": str(report.source),
        "kind": report.bundle.kind.value if report.bundle else None,
        "complete": not report.incomplete,
    }


def render(report: Report | Sequence[Report], *, base: Path, source_root: Path | None = None, **_: object) -> str:
    """One JSON object for every audited path: `inputs` lists them; `input` is kept when there is one."""
    reports = reports_of(report)
    findings = [finding_dict(r, f, base, source_root) for r in reports for f in r.findings if not f.suppressed]
    doc: dict = {"schema_version": SCHEMA_VERSION, "tool": {"name": "iwa-audit", "version": __version__}}
    if len(reports) == 1:
        doc["input"] = input_dict(reports[0])
    doc["inputs"] = [input_dict(r) for r in reports]
    doc.update(
        findings=findings,
        summary={lvl.label: sum(1 for f in findings if f["level"] == lvl.label) for lvl in Level},
        notifications=[{"level": n.level.label, "message": n.message, "rule_id": n.rule_id} for r in reports for n in r.notifications],
    )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
