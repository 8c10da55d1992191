"""The one audit pipeline: read, run the rules, apply what the user already judged.

The CLI, `inspect`, `release`, the editor server and the tests all call
`audit()`, so a defect in suppressions or fingerprints cannot hide behind a
second code path that only the tests use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.engine.errors import InputError
from auditor.engine.findings import Finding
from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.model import Bundle
from auditor.engine.registry import RuleSet
from auditor.engine.runner import Report, input_error_report, run_rules
from auditor.engine.settings import DEFAULT_SETTINGS, Settings

ProgressCallback = Callable[[int, int, str], None]


def default_rules() -> RuleSet:
    """Every shipped rule at its default level."""
    from auditor.engine.catalogue import all_rules

    return RuleSet(all_rules())


def read(path: Path, *, settings: Settings = DEFAULT_SETTINGS, limits: Limits = DEFAULT_LIMITS) -> Bundle:
    """Open any supported input into the model (raises InputError when it cannot be read at all)."""
    from auditor.readers import open_input

    return open_input(Path(path), limits=limits, settings=settings)


def audit(
    path: Path | str,
    *,
    rules: RuleSet | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    bundle: Bundle | None = None,
) -> Report:
    """Audit one input: reading, rules, inline suppressions, per-path ignores and the baseline.

    `bundle` lets a caller that already opened the input (inspect, release)
    audit that same model instead of reading it twice.
    """
    ruleset = rules if rules is not None else default_rules()
    source = Path(path)
    if bundle is None:
        try:
            bundle = read(source, settings=settings, limits=limits)
        except InputError as error:
            return input_error_report(source, error, ruleset)
    report = run_rules(bundle, ruleset, limits=limits, settings=settings, progress=progress)
    if settings.apply_suppressions:
        judge(report, ruleset, settings)
    return report


def judge(report: Report, ruleset: RuleSet, settings: Settings) -> None:
    """Mark what users already decided: per-path ignores, inline comments, the baseline."""
    from auditor.engine.suppressions import apply_baseline, apply_inline, apply_path_ignores

    findings = apply_path_ignores(report.findings, settings.per_path_ignores, ruleset.rules)
    findings = apply_inline(findings, report.session, ruleset)
    if settings.baseline is not None:
        findings = apply_baseline(findings, settings.baseline)
    report.findings = sorted(findings, key=Finding.sort_key)
