"""SARIF 2.1.0 as GitHub code scanning and the VS Code SARIF Viewer read it.

See ../shared/spec/sarif-and-ci.md: one run; every rule that ran in
`tool.driver.rules`; `security-severity` as a string; relative URIs under
`%SRCROOT%`; bundle-internal findings on the bundle file with the inner URL in
the message and properties; input errors as tool execution notifications.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from auditor import __version__
from auditor.engine.findings import Finding, Level
from auditor.engine.registry import DEFAULT_SEVERITY, Rule
from auditor.engine.runner import Report
from auditor.reporters.places import Place, place

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
HELP_URI = "https://github.com/iwa-audit/iwa-audit/blob/main/README.md#"
SRCROOT = "%SRCROOT%"
VENDORED = "vendored"
VENDORED_RANK = 1.0  # results mapped into a map's ignoreList sources rank last (others leave rank unset)


def rule_descriptor(rule: Rule) -> dict:
    severity = rule.security_severity if rule.security_severity is not None else DEFAULT_SEVERITY[rule.level]
    full = rule.docs.split("\n## ", 1)[0].strip() or rule.summary
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary[:1024]},
        "fullDescription": {"text": (full or rule.summary)[:1024]},
        "help": {"text": rule.docs or rule.summary, "markdown": f"# {rule.id} {rule.name}\n\n{rule.summary}\n\n{rule.docs}"},
        "helpUri": HELP_URI + rule.id.lower(),
        "defaultConfiguration": {"level": rule.level.label},
        "properties": {
            "tags": list(dict.fromkeys(("security", *rule.tags)))[:20],
            "precision": rule.precision.value,
            "security-severity": f"{severity:.1f}",
        },
    }


def uri_of(path: str) -> str:
    return quote(path, safe="/-_.~!$&'()*+,;=:@")


def physical_location(where: Place) -> dict:
    physical: dict = {"artifactLocation": {"uri": uri_of(where.path), "uriBaseId": SRCROOT}}
    if where.span is not None and where.text_in_file:
        region = {
            "startLine": where.span.start_line,
            "startColumn": where.span.start_column,
            "endLine": where.span.end_line,
            "endColumn": max(where.span.end_column, 1),
        }
    elif where.byte_range is not None and where.byte_range[0] >= 0:
        region = {"byteOffset": where.byte_range[0], "byteLength": max(0, where.byte_range[1])}
    else:
        region = {"startLine": 1}
    physical["region"] = region
    return physical


def result(report: Report, finding: Finding, rule_index: int, base: Path, source_root: Path | None, include_suppressed: bool) -> dict:
    where = place(report.bundle, report.source, finding.location, base, source_root)
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
    out: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.level.label,
        "message": {"text": message},
        "locations": [{"physicalLocation": physical_location(where)}],
        "partialFingerprints": {"iwaAuditFingerprint/v1": finding.fingerprint},
        "properties": properties,
    }
    if where.inner is not None:
        out["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": where.inner, "kind": "resource"}]
    if finding.built is not None:  # the author's source is primary; where the build put it is related
        built = place(report.bundle, report.source, finding.built, base, source_root)
        out["relatedLocations"] = [{"id": 1, "physicalLocation": physical_location(built), "message": {"text": f"built: {built.label()}"}}]
    if VENDORED in finding.tags:
        out["rank"] = VENDORED_RANK
        properties["tags"] = list(finding.tags)
    if finding.suppressed is not None and include_suppressed:
        out["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed}]
    return out


def render(
    report: Report,
    *,
    base: Path,
    source_root: Path | None = None,
    include_suppressed: bool = False,
    absolute_root: bool = True,
    automation_id: str = "iwa-audit/",
    **_: object,
) -> str:
    rules = list(report.rules)
    index_of = {r.id: i for i, r in enumerate(rules)}
    results = [
        result(report, f, index_of[f.rule_id], base, source_root, include_suppressed)
        for f in report.findings
        if f.rule_id in index_of and (include_suppressed or f.suppressed is None)
    ]
    notifications = [
        {"level": n.level.label, "message": {"text": n.message}, **({"descriptor": {"id": n.rule_id}} if n.rule_id else {})}
        for n in report.notifications
    ]
    run: dict = {
        "tool": {
            "driver": {
                "name": "iwa-audit",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/iwa-audit/iwa-audit",
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "automationDetails": {"id": automation_id},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not report.incomplete,
                "toolExecutionNotifications": notifications,
            }
        ],
    }
    if absolute_root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base.resolve().as_uri().rstrip("/") + "/"}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def level_counts(report: Report) -> dict[str, int]:
    return {lvl.label: sum(1 for f in report.active() if f.level is lvl) for lvl in Level}
