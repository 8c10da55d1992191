"""Run the enabled rules over one model and turn their hits into sorted findings.

The runner is the only place that builds Findings, and one of the two places
allowed a broad `except` (the other is the CLI's top level): a rule that raises
becomes an AUD002 finding and the run goes on.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.engine.context import AuditSession, Context
from auditor.engine.errors import InputError, LimitExceeded
from auditor.engine.findings import Finding, Hit, Level, fingerprint
from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.location import Location
from auditor.engine.model import Bundle
from auditor.engine.parts import merge, parts
from auditor.engine.registry import Rule, RuleSet

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notification:
    """Something the tool itself wants to say (input errors, dropped results)."""

    level: Level
    message: str
    rule_id: str | None = None


@dataclass(slots=True)
class Report:
    """The outcome of one audit: what reporters render and what sets the exit code."""

    source: Path
    bundle: Bundle | None
    rules: tuple[Rule, ...]
    findings: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    session: AuditSession | None = None

    @property
    def incomplete(self) -> bool:
        """True when the engine could not audit everything (exit 2)."""
        from auditor.engine.diagnostics import INCOMPLETE_RULE_IDS

        return any(f.rule_id in INCOMPLETE_RULE_IDS and not f.suppressed for f in self.findings)

    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]


def exit_code(report: Report, fail_level: Level) -> int:
    """2 if the audit is incomplete, 1 if a finding reaches the fail level, else 0."""
    if report.incomplete:
        return 2
    if any(f.level >= fail_level for f in report.active()):
        return 1
    return 0


def _engine_rule(rules: Sequence[Rule], rule_id: str) -> Rule:
    for r in rules:
        if r.id == rule_id:
            return r
    from auditor.engine.diagnostics import ENGINE_RULES

    return next(r for r in ENGINE_RULES if r.id == rule_id)


def input_error_report(source: Path, error: InputError, ruleset: RuleSet) -> Report:
    """The report for an input no reader could open: one AUD finding, nothing else ran."""
    rule_id = "AUD003" if isinstance(error, LimitExceeded) else "AUD001"
    rule_ = _engine_rule(ruleset.rules, rule_id)
    location = Location(byte_range=(error.offset, 0) if error.offset is not None else None)
    finding = Finding(
        rule_id=rule_.id,
        rule_name=rule_.name,
        level=Level.ERROR,
        message=error.describe(),
        location=location,
        fingerprint=fingerprint(rule_.id, str(source), error.reason),
    )
    report = Report(source=source, bundle=None, rules=ruleset.rules, findings=[finding])
    report.notifications.append(Notification(Level.ERROR, f"{source}: {error.describe()}", rule_.id))
    return report


def _anchor(session: AuditSession, hit: Hit) -> str:
    """What identifies a finding's place independently of line numbers."""
    if hit.anchor:
        return hit.anchor
    loc = hit.location
    if loc.pointer:
        return loc.pointer
    if loc.span is not None and loc.resource is not None:
        resource = session.bundle.resources.get(loc.resource)
        index = session.cache.get(("text-index", loc.resource)) if resource else None
        if index is not None:
            snippet = index.line_text(loc.span.start_line)  # type: ignore[attr-defined]
            return " ".join(snippet.split())
    return hit.message


def stamp(rule_: Rule, level: Level, hit: Hit, session: AuditSession) -> Finding:
    """Build the immutable Finding for one hit from its rule's metadata."""
    artifact = hit.location.resource or str(session.bundle.source.name)
    return Finding(
        rule_id=rule_.id,
        rule_name=rule_.name,
        level=hit.level or level,
        message=hit.message,
        location=hit.location,
        related=hit.related,
        help=hit.help,
        precision=hit.precision or rule_.precision,
        fingerprint=fingerprint(rule_.id, artifact, _anchor(session, hit)),
        properties=hit.properties,
    )


def run_rules(
    bundle: Bundle,
    ruleset: RuleSet,
    *,
    limits: Limits = DEFAULT_LIMITS,
    settings: Mapping[str, object] | None = None,
    options: Mapping[str, Mapping[str, object]] | None = None,
    progress=None,
) -> Report:
    """Run every enabled rule that applies to this kind of input."""
    session = AuditSession(bundle, limits=limits, settings=settings)
    report = Report(source=bundle.source, bundle=bundle, rules=ruleset.rules, session=session)
    crash_rule = _engine_rule(ruleset.rules, "AUD002")
    for number, rule_ in enumerate(ruleset.rules, 1):
        if bundle.kind not in rule_.inputs:
            continue
        if progress is not None:
            progress(number, len(ruleset.rules), rule_.id)
        ctx = Context(session, (options or {}).get(rule_.id))
        level = ruleset.level_of(rule_)
        try:
            hits: Iterable[Hit] = rule_(ctx)
            for hit in hits:
                report.findings.append(stamp(rule_, level, hit, session))
        except Exception as exc:  # a crashing rule must not lose the run
            log.debug("rule %s crashed:\n%s", rule_.id, traceback.format_exc())
            message = f"rule {rule_.id} ({rule_.name}) failed: {type(exc).__name__}: {exc}; please report"
            report.findings.append(
                Finding(
                    rule_id=crash_rule.id,
                    rule_name=crash_rule.name,
                    level=Level.ERROR,
                    message=message.replace("\n", " "),
                    location=Location(),
                    fingerprint=fingerprint(crash_rule.id, rule_.id, type(exc).__name__),
                )
            )
            report.notifications.append(Notification(Level.ERROR, message, crash_rule.id))
    for mount, root_resource, part in parts(bundle):  # a composite input: each part by its own kind's rules
        sub = run_rules(part, ruleset, limits=limits, settings=settings, options=options)
        merge(report.findings, sub.findings, mount, root_resource)
        report.notifications.extend(sub.notifications)
    report.findings.sort(key=Finding.sort_key)
    return report
