"""Run the enabled rules over one model and turn their hits into sorted findings.

The runner is the only place that builds Findings, and one of the two places
allowed a broad `except` (the other is the CLI's top level): a rule that raises
becomes an AUD002 finding and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from auditor.engine.context import AuditSession, Context, content_resources
from auditor.engine.errors import InputError, LimitExceeded
from auditor.engine.findings import Finding, Hit, Level, fingerprint
from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.location import Location
from auditor.engine.model import Bundle
from auditor.engine.parts import merge, parts
from auditor.engine.record import FrozenRecord, Record, store_fields
from auditor.engine.registry import Rule, RuleSet
from auditor.engine.settings import DEFAULT_SETTINGS, Settings


def log_traceback(what: str) -> None:
    """The current exception's traceback at DEBUG level (`--debug` shows it); logging is imported only then."""
    import logging
    import traceback

    logging.getLogger(__name__).debug("%s:\n%s", what, traceback.format_exc())


class Notification(FrozenRecord):
    """Something the tool itself wants to say (input errors, dropped results)."""

    __slots__ = ("level", "message", "rule_id")
    level: Level
    message: str
    rule_id: str | None

    def __init__(self, level: Level, message: str, rule_id: str | None = None) -> None:
        store_fields(self, locals())


class Report(Record):
    """The outcome of one audit: what reporters render and what sets the exit code."""

    __slots__ = ("bundle", "findings", "notifications", "rules", "session", "source")
    source: Path
    bundle: Bundle | None
    rules: tuple[Rule, ...]
    findings: list[Finding]
    notifications: list[Notification]
    session: AuditSession | None

    def __init__(
        self,
        source: Path,
        bundle: Bundle | None,
        rules: tuple[Rule, ...],
        findings: list[Finding] | None = None,
        notifications: list[Notification] | None = None,
        session: AuditSession | None = None,
    ) -> None:
        self.source = source
        self.bundle = bundle
        self.rules = rules
        self.findings = [] if findings is None else findings
        self.notifications = [] if notifications is None else notifications
        self.session = session

    @property
    def incomplete(self) -> bool:
        """True when the engine could not audit everything (exit 2).

        That is an incomplete-audit diagnostic (unreadable input, crashed rule,
        passed limit), or a resource the reader withheld unread (a zip member
        whose declared sizes are a bomb's): what was not read was not audited.
        """
        from auditor.engine.diagnostics import INCOMPLETE_RULE_IDS

        if any(f.rule_id in INCOMPLETE_RULE_IDS and not f.suppressed for f in self.findings):
            return True
        return self.bundle is not None and any(r.body.withheld for r in self.bundle.resources.values())

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


MAX_LINE = 400        # longer lines (minified code) keep only a window around the finding
WINDOW_MARGIN = 100   # code points kept on each side of the finding's start in such a window


def source_line(ctx: Context, location: Location) -> tuple[str, int] | None:
    """The line a location starts on, as (text, offset of that text within the line).

    Read from the resource (or the JSON document) every time it is asked, so a
    finding's anchor and snippet never depend on which other rules ran. A long
    line is cut to a window around the finding, so a thousand findings in one
    minified file do not each keep a copy of it.
    """
    if location.span is None:
        return None
    if location.resource is None:
        document = ctx.bundle.document
        index = ctx.document_index(document) if document is not None else None
    else:
        resource = ctx.bundle.resources.get(location.resource)
        index = ctx.text_index(resource) if resource is not None else None
    if index is None:
        return None
    line = index.line_text(location.span.start_line)
    if len(line) <= MAX_LINE:
        return line, 0
    start = max(0, location.span.start_column - 1 - WINDOW_MARGIN)
    return line[start : start + 2 * WINDOW_MARGIN], start


def anchor_of(hit: Hit, line: str | None) -> str:
    """What identifies a finding's place independently of line numbers."""
    if hit.anchor:
        return hit.anchor
    if hit.location.pointer:
        return hit.location.pointer
    if line is not None:
        return " ".join(line.split())
    return hit.message


def stamp(rule_: Rule, level: Level, hit: Hit, ctx: Context) -> Finding:
    """Build the immutable Finding for one hit: its fingerprint and snippet come from the hit alone."""
    artifact = hit.location.resource or str(ctx.bundle.source.name)
    line = source_line(ctx, hit.location)
    text, start = line if line is not None else (None, 0)
    return Finding(
        rule_id=rule_.id,
        rule_name=rule_.name,
        level=hit.level or level,
        message=hit.message,
        location=hit.location,
        related=hit.related,
        help=hit.help,
        precision=hit.precision or rule_.precision,
        fingerprint=fingerprint(rule_.id, artifact, anchor_of(hit, text)),
        properties=hit.properties,
        snippet=text,
        snippet_start=start,
    )


def crash_finding(crash_rule: Rule, rule_: Rule, exc: Exception) -> Finding:
    """AUD002 for a rule that raised: the audit goes on without it, and is incomplete."""
    message = f"rule {rule_.id} ({rule_.name}) failed: {type(exc).__name__}: {exc}; please report"
    return Finding(
        rule_id=crash_rule.id,
        rule_name=crash_rule.name,
        level=Level.ERROR,
        message=message.replace("\n", " "),
        location=Location(),
        fingerprint=fingerprint(crash_rule.id, rule_.id, type(exc).__name__),
    )


def resource_pass(ctx: Context, scoped: list[Rule], collectors: list[Rule], run_one: Callable[[Rule], None], crashed: set[str]) -> None:
    """Each content resource in its own scope: every per-resource rule, then every `collect`.

    The scope's texts and trees are dropped before the next resource, so memory is
    bounded by the largest resource, not by the app.
    """
    for resource in content_resources(ctx.bundle):
        with ctx.within(resource):
            for rule_ in scoped:
                if rule_.id not in crashed:
                    run_one(rule_)
            for rule_ in collectors:
                try:
                    rule_.collect(ctx)  # type: ignore[misc]
                except Exception:  # what is missing is recomputed when the rule runs, which reports a crash then
                    log_traceback(f"collect of {rule_.id} failed")


def run_rules(
    bundle: Bundle,
    ruleset: RuleSet,
    *,
    limits: Limits = DEFAULT_LIMITS,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Run every enabled rule that applies to this kind of input and whose needs the input meets."""
    session = AuditSession(bundle, limits=limits, settings=settings)
    session.on_read = getattr(progress, "reading", None)  # a progress line may also name the resource being read
    report = Report(source=bundle.source, bundle=bundle, rules=ruleset.rules, session=session)
    crash_rule = _engine_rule(ruleset.rules, "AUD002")
    ctx = Context(session)
    located: list[tuple[int, Hit]] = []  # findings with a text place, for mapping to the author's source
    crashed: set[str] = set()

    def run_one(rule_: Rule) -> None:
        level = ruleset.level_of(rule_)
        try:
            hits: Iterable[Hit] = rule_(ctx)
            for hit in hits:
                if hit.location.span is not None and hit.location.resource is not None:
                    located.append((len(report.findings), hit))
                report.findings.append(stamp(rule_, level, hit, ctx))
        except Exception as exc:  # a crashing rule must not lose the run
            log_traceback(f"rule {rule_.id} crashed")
            crashed.add(rule_.id)
            finding = crash_finding(crash_rule, rule_, exc)
            report.findings.append(finding)
            report.notifications.append(Notification(Level.ERROR, finding.message, crash_rule.id))

    enabled = [(n, r) for n, r in enumerate(ruleset.rules, 1) if bundle.kind in r.inputs and ctx.meets(r.needs)]
    scoped = [(n, r) for n, r in enabled if r.per_resource]
    collectors = [r for _, r in enabled if r.collect is not None]
    # The resource pass runs where the first rule that takes part in it stands, so rules keep
    # their order and every aggregating rule finds the summaries its `collect` left.
    first = next((n for n, r in enabled if r.per_resource or r.collect is not None), None)
    for number, rule_ in enabled:
        if number == first:
            if progress is not None:
                for scoped_number, scoped_rule in scoped:
                    progress(scoped_number, len(ruleset.rules), scoped_rule.id)
            resource_pass(ctx, [r for _, r in scoped], collectors, run_one, crashed)
        if rule_.per_resource:
            continue
        if progress is not None:
            progress(number, len(ruleset.rules), rule_.id)
        run_one(rule_)
    if settings.map_sources and located:
        from auditor.engine.relocation import relocate

        try:
            report.findings, notes = relocate(report.findings, located, ctx)
        except Exception as exc:  # a defect in mapping must not lose the findings: they stay where they were built
            log_traceback("source mapping failed")
            notes = [f"mapping findings to their sources failed ({type(exc).__name__}: {exc}); they stay in the built files; please report"]
        report.notifications.extend(Notification(Level.NOTE, note) for note in notes)
    for mount, root_resource, part in parts(bundle):  # a composite input: each part by its own kind's rules
        sub = run_rules(part, ruleset, limits=limits, settings=settings)
        merge(report.findings, sub.findings, mount, root_resource)
        report.notifications.extend(sub.notifications)
    report.findings.sort(key=Finding.sort_key)
    return report
