"""SARIF 2.1.0 as GitHub code scanning and the VS Code SARIF Viewer read it.

One run; every rule that ran in `tool.driver.rules`; `security-severity` as a
string. Files inside the working tree get URIs relative to `%SRCROOT%`; files
outside it get absolute `file://` URIs with no base (a `../` URI under a base is
invalid, SARIF1004). Every region has a `startLine`, which GitHub requires
(GH1003) and needs to fingerprint: text inside a bundle or zip keeps its real
line and column (the inner URL is in the message and `properties`), a binary
region is line 1 with its byte offset and length. `automationDetails.id` is
written only when a category is asked for, so upload-sarif's `category` applies
otherwise. Input errors are tool execution notifications.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from auditor import __version__
from auditor.engine.findings import Finding, Level
from auditor.engine.registry import DEFAULT_SEVERITY, Rule
from auditor.engine.runner import Report
from auditor.reporters.line_hash import line_hashes
from auditor.reporters.places import Place, place
from auditor.rule_docs import PROJECT_URL, help_uri

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
VENDORED = "vendored"
VENDORED_RANK = 1.0  # results mapped into a map's ignoreList sources rank last (others leave rank unset)
FINGERPRINT_KEY = "iwaAuditFingerprint/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
MAX_HASHED_TEXT = 64 * 1024 * 1024  # never read more than this to fingerprint one file
CONTAINER_PREFIX = 1024 * 1024      # line 1 of a binary container needs only its start


def rule_descriptor(rule: Rule) -> dict:
    severity = rule.security_severity if rule.security_severity is not None else DEFAULT_SEVERITY[rule.level]
    full = rule.docs.split("\n## ", 1)[0].strip() or rule.summary
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary[:1024]},
        "fullDescription": {"text": (full or rule.summary)[:1024]},
        "help": {"text": rule.docs or rule.summary, "markdown": f"# {rule.id} {rule.name}\n\n{rule.summary}\n\n{rule.docs}"},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": rule.level.label},
        "properties": {
            "tags": list(dict.fromkeys(("security", *rule.tags)))[:20],
            "precision": rule.precision.value,
            "security-severity": f"{severity:.1f}",
        },
    }


def uri_of(path: str) -> str:
    return quote(path, safe="/-_.~!$&'()*+,;=:@")


def artifact_location(where: Place, root: Path) -> dict:
    """Relative to %SRCROOT% inside the working tree, an absolute file:// URI outside it."""
    if where.file is not None and not where.file.is_relative_to(root):
        return {"uri": where.file.as_uri()}
    return {"uri": uri_of(where.path), "uriBaseId": SRCROOT}


def region(where: Place) -> dict:
    span = where.span
    if span is not None and (where.text_in_file or where.inner is not None):
        return {
            "startLine": span.start_line,
            "startColumn": span.start_column,
            "endLine": span.end_line,
            "endColumn": max(span.end_column, 1),
        }
    out: dict = {"startLine": 1}
    if where.byte_range is not None and where.byte_range[0] >= 0:
        out.update(byteOffset=where.byte_range[0], byteLength=max(0, where.byte_range[1]))
    return out


def hashed_text_key(where: Place) -> tuple[str, str] | None:
    """Which text the region's lines count in: a bundle member's, or a file's on disk."""
    if where.inner is not None and where.span is not None:
        return ("resource", where.inner)
    if where.file is not None:
        return ("file", str(where.file))
    return None


def read_text(report: Report, key: tuple[str, str], lines: set[int]) -> str | None:
    """The text as upload-sarif would decode it (UTF-8, invalid bytes replaced, BOM kept)."""
    kind, name = key
    try:
        if kind == "resource":
            resource = report.bundle.resources.get(name) if report.bundle is not None else None
            if resource is None or resource.body.withheld:
                return None
            data = resource.body.read(MAX_HASHED_TEXT)
        else:
            limit = CONTAINER_PREFIX if lines == {1} else MAX_HASHED_TEXT
            with open(name, "rb") as handle:
                data = handle.read(limit)
    except (OSError, ValueError):
        return None
    return data.decode("utf-8", errors="replace")


def line_hash_table(report: Report, places: list[tuple[Place, dict]]) -> dict[tuple[tuple[str, str], int], str]:
    """primaryLocationLineHash for every (text, startLine) the results point at, one pass per text."""
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for where, reg in places:
        key = hashed_text_key(where)
        if key is not None:
            wanted[key].add(reg["startLine"])
    table = {}
    for key, lines in wanted.items():
        text = read_text(report, key, lines)
        if text is not None:
            for number, value in line_hashes(text, lines).items():
                table[key, number] = value
    return table


def result(finding: Finding, rule_index: int, where: Place, reg: dict, root: Path, line_hash: str | None, include_suppressed: bool, built: Place | None = None) -> dict:
    message = finding.message
    properties: dict = dict(finding.properties)
    if where.inner is not None:
        message = f"{message} (in bundle resource `{where.inner}`"
        if where.span is not None:
            message += f" at line {where.span.start_line}, column {where.span.start_column}"
        message += ")"
        properties["bundleResource"] = where.inner
        if where.span is not None:
            properties["bundleResourceLine"] = where.span.start_line
            properties["bundleResourceColumn"] = where.span.start_column
    if finding.location.pointer:
        properties["pointer"] = finding.location.pointer
    properties["precision"] = finding.precision.value
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    if line_hash is not None:
        fingerprints[LINE_HASH_KEY] = line_hash
    out: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.level.label,
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(where, root), "region": reg}}],
        "partialFingerprints": fingerprints,
        "properties": properties,
    }
    if where.inner is not None:
        out["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": where.inner, "kind": "resource"}]
    if built is not None:  # the author's source is primary; where the build put it is related
        physical = {"artifactLocation": artifact_location(built, root), "region": region(built)}
        out["relatedLocations"] = [{"id": 1, "physicalLocation": physical, "message": {"text": f"built: {built.label()}"}}]
    if VENDORED in finding.tags:
        out["rank"] = VENDORED_RANK
        properties["tags"] = list(finding.tags)
    if finding.suppressed is not None and include_suppressed:
        out["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed}]
    return out


def report_results(report: Report, index_of: dict[str, int], base: Path, source_root: Path | None, include_suppressed: bool) -> list[dict]:
    """The SARIF results of one audited input (its places resolve against its own bundle)."""
    root = base.resolve()
    chosen = [f for f in report.findings if f.rule_id in index_of and (include_suppressed or f.suppressed is None)]
    places = []
    for f in chosen:
        where = place(report.bundle, report.source, f.location, base, source_root)
        places.append((where, region(where)))
    hashes = line_hash_table(report, places)
    results = []
    for f, (where, reg) in zip(chosen, places, strict=True):
        key = hashed_text_key(where)
        line_hash = hashes.get((key, reg["startLine"])) if key is not None else None
        built = place(report.bundle, report.source, f.built, base, source_root) if f.built is not None else None
        results.append(result(f, index_of[f.rule_id], where, reg, root, line_hash, include_suppressed, built))
    return results


def render(
    report: Report | Sequence[Report],
    *,
    base: Path,
    source_root: Path | None = None,
    include_suppressed: bool = False,
    absolute_root: bool = True,
    sarif_category: str | None = None,
    **_: object,
) -> str:
    """One run for every audited input: the rules that ran in any of them, all their results."""
    reports = [report] if isinstance(report, Report) else list(report)
    rules = list({r.id: r for one in reports for r in one.rules}.values())
    index_of = {r.id: i for i, r in enumerate(rules)}
    root = base.resolve()
    results = [res for one in reports for res in report_results(one, index_of, base, source_root, include_suppressed)]
    notifications = [
        {"level": n.level.label, "message": {"text": n.message}, **({"descriptor": {"id": n.rule_id}} if n.rule_id else {})}
        for one in reports
        for n in one.notifications
    ]
    run: dict = {
        "tool": {
            "driver": {
                "name": "iwa-audit",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URL,
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not any(one.incomplete for one in reports),
                "toolExecutionNotifications": notifications,
            }
        ],
    }
    if sarif_category:
        run["automationDetails"] = {"id": sarif_category.rstrip("/") + "/"}
    if absolute_root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def level_counts(report: Report) -> dict[str, int]:
    return {lvl.label: sum(1 for f in report.active() if f.level is lvl) for lvl in Level}
