"""Inline suppressions, per-path ignores and baselines: which findings a user has already judged.

Inline: a comment `iwa-audit: ignore[ID, ID] reason` in HTML, CSS or JS covers
findings of those rules on its own line and the next. The rule id is
mandatory and a reason is required; a comment that breaks either is AUD004 and
hides nothing; one that hides nothing is AUD005.

Per-path ignores (configuration) and baselines mark findings suppressed with a
justification; reporters leave suppressed findings out (SARIF keeps them on
request, with the justification, since GitHub ignores SARIF suppressions).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from auditor.engine.findings import Finding, fingerprint
from auditor.engine.lazy import LazyPattern
from auditor.engine.location import Location
from auditor.engine.record import Record, replace
from auditor.engine.registry import Rule, RuleSet

MARKER = re.compile(rb"iwa-audit:")  # what every directive holds, searched in the raw bytes before any decoding
DIRECTIVE = LazyPattern(r"(?:<!--|/\*|//)\s*iwa-audit:\s*ignore(?:\[(?P<ids>[^\]]*)\])?(?P<reason>[^\n]*)")
COMMENT_CLOSERS = LazyPattern(r"\s*(?:-->|\*/)\s*$")
SUPPRESSIBLE_TYPES = ("text/html", "application/xhtml+xml", "text/css", "application/javascript", "text/javascript", "image/svg+xml")
BASELINE_VERSION = 1
# Session cache {absolute posix path: (repository path, TextIndex)} of the originals findings moved to.
# Relocation writes it; it lives here so an audit without mapping never imports the mapping modules.
ORIGINALS_KEY = "original-texts"


class Directive(Record):
    __slots__ = ("artifact", "column", "ids", "line", "reason", "resource", "used")
    resource: str
    line: int
    column: int
    ids: tuple[str, ...]
    reason: str
    used: set
    artifact: str | None  # set for a comment in an original source file: `resource` is then that file's absolute path

    def __init__(self, resource: str, line: int, column: int, ids: tuple[str, ...], reason: str, used: set, artifact: str | None = None) -> None:
        self.resource = resource
        self.line = line
        self.column = column
        self.ids = ids
        self.reason = reason
        self.used = used
        self.artifact = artifact


def directives(session) -> list[Directive]:
    """Every suppression comment in the audited text resources and in the originals findings were mapped to."""
    from auditor.engine.context import Context

    ctx = Context(session)
    found: list[Directive] = []
    limit = ctx.limits.max_text_resource_bytes
    for resource in ctx.resources(*SUPPRESSIBLE_TYPES):
        if session.texts.get(resource.path) is None and (resource.size > limit or resource.body.search(MARKER, limit) is None):
            continue  # no directive in its bytes (or too large to decode): not decoded, not cached
        text = ctx.text(resource)
        if text and "iwa-audit:" in text:
            found.extend(_scan(ctx.text_index(resource), resource.path, None))
    for file, (artifact, index) in session.cache.get(ORIGINALS_KEY, {}).items():
        if "iwa-audit:" in index.text:
            found.extend(_scan(index, file, artifact))
    return found


def _scan(index, resource: str, artifact: str | None) -> list[Directive]:
    out = []
    for match in DIRECTIVE.finditer(index.text):
        line, column = index.position(match.start())
        ids = tuple(i.strip().upper() for i in (match.group("ids") or "").split(",") if i.strip())
        reason = COMMENT_CLOSERS.sub("", match.group("reason")).strip(" :-—")
        out.append(Directive(resource, line, column, ids, reason, set(), artifact))
    return out


def apply_inline(findings: list[Finding], session, ruleset: RuleSet) -> list[Finding]:
    """Mark findings covered by valid comments; report invalid comments (AUD004) and unused ids (AUD005).

    Both are judged against the rules that ran: an id of a rule that exists but
    was not selected (or does not apply to this input) is neither unknown nor
    unused, and AUD004/AUD005 themselves obey --select, --ignore and `levels`.
    """
    known = {r.id for r in all_known_rules()}
    ran = {r.id for r in ruleset.rules if session.bundle.kind in r.inputs}
    enabled = {r.id: r for r in ruleset.rules}
    out, problems = [], []
    valid: list[Directive] = []
    # Comments matter only to findings with a text place or to AUD004/AUD005: without either, none is looked for.
    wanted = "AUD004" in enabled or "AUD005" in enabled or any(f.location.span is not None and not f.rule_id.startswith("AUD") for f in findings)
    for directive in directives(session) if wanted else ():
        unknown = [i for i in directive.ids if i not in known]
        why = "no rule id in brackets" if not directive.ids else f"unknown rule id {', '.join(unknown)}" if unknown else "no reason after the brackets" if not directive.reason else None
        if why is None:
            valid.append(directive)
        elif "AUD004" in enabled:
            problems.append(engine_finding(enabled["AUD004"], ruleset, directive, f"suppression comment ignored: {why}"))
    for finding in findings:
        span = finding.location.span
        cover = None
        if span is not None and not finding.rule_id.startswith("AUD"):
            place, in_file = (finding.location.file, True) if finding.location.file else (finding.location.resource, False)
            cover = next((d for d in valid if d.resource == place and (d.artifact is not None) == in_file and finding.rule_id in d.ids and d.line in (span.start_line, span.start_line - 1)), None)
        if cover is not None:
            cover.used.add(finding.rule_id)
            finding = replace(finding, suppressed=cover.reason)
        out.append(finding)
    if "AUD005" in enabled:
        for directive in valid:
            unused = [i for i in directive.ids if i in ran and i not in directive.used]
            if unused:
                problems.append(engine_finding(enabled["AUD005"], ruleset, directive, f"suppression of {', '.join(unused)} hides nothing on this line or the next"))
    return out + problems


def all_known_rules() -> tuple[Rule, ...]:
    from auditor.engine.catalogue import all_rules

    return all_rules()


def engine_finding(rule_: Rule, ruleset: RuleSet, directive: Directive, message: str) -> Finding:
    from auditor.engine.location import Span

    return Finding(
        rule_id=rule_.id,
        rule_name=rule_.name,
        level=ruleset.level_of(rule_),
        message=message,
        location=Location(
            resource=None if directive.artifact else directive.resource,
            file=directive.resource if directive.artifact else None,
            span=Span(directive.line, directive.column, directive.line, directive.column + 1),
        ),
        fingerprint=fingerprint(rule_.id, directive.artifact or directive.resource, f"{directive.ids}{directive.reason}"),
    )


def apply_path_ignores(findings: list[Finding], patterns: Mapping[str, Sequence[str]], rules: Sequence[Rule]) -> list[Finding]:
    """Suppress findings whose resource path matches a configured glob for their rule."""
    from auditor.engine.registry import matches

    by_id = {r.id: r for r in rules}
    out = []
    for finding in findings:
        resource = finding.location.resource or ""
        rule_ = by_id.get(finding.rule_id)
        for glob, selectors in patterns.items():
            if rule_ is not None and fnmatch.fnmatchcase(resource, glob) and any(matches(rule_, s) for s in selectors):
                finding = replace(finding, suppressed=f"per-path-ignores `{glob}` in the configuration")
                break
        out.append(finding)
    return out


def write_baseline(findings: list[Finding], path: Path) -> int:
    """Record the active findings' fingerprints (never line numbers); returns how many."""
    active = [f for f in findings if not f.suppressed and not f.rule_id.startswith("AUD")]
    data = {
        "version": BASELINE_VERSION,
        "tool": "iwa-audit",
        "findings": [{"rule_id": f.rule_id, "fingerprint": f.fingerprint, "resource": f.location.resource, "message": f.message} for f in active],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return len(active)


class BaselineError(ValueError):
    pass


def apply_baseline(findings: list[Finding], path: Path) -> list[Finding]:
    """Suppress findings already in the baseline (as many of each fingerprint as it records)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        known = Counter(entry["fingerprint"] for entry in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BaselineError(f"{path}: not an iwa-audit baseline: {error}") from None
    out = []
    for finding in findings:
        if not finding.suppressed and known[finding.fingerprint] > 0:
            known[finding.fingerprint] -= 1
            finding = replace(finding, suppressed=f"in baseline {path.name}")
        out.append(finding)
    return out
