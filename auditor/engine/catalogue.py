"""The rules iwa-audit ships: the engine's diagnostics, then each family in order.

Kept apart from the registry so the registry (which the rule modules import)
imports none of them: no cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from auditor.engine.findings import Level
from auditor.engine.registry import Rule, RuleSet, matches, select_rules, unknown_selectors


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule we ship, in catalogue order (imports the families on first use)."""
    from auditor.engine.diagnostics import ENGINE_RULES
    from auditor.rules import ALL_RULES

    return ENGINE_RULES + ALL_RULES


class SelectionError(ValueError):
    """A selector names no rule (a typo must be an error, not a silently disabled check)."""


def select(
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    levels: Mapping[str, str | Level] | None = None,
    *,
    extra_selectors: Sequence[str] = (),
) -> RuleSet:
    """The enabled rules and level overrides for --select/--ignore/`levels` (ids, prefixes or names).

    `extra_selectors` are checked for typos too (per-path ignores name rules).
    """
    rules = all_rules()
    levels = dict(levels or {})
    unknown = unknown_selectors(rules, [*select, *ignore, *levels, *extra_selectors])
    if unknown:
        raise SelectionError(f"unknown rule selector(s): {', '.join(unknown)} (see --list-rules)")
    overrides: dict[str, Level] = {}
    for selector, level in levels.items():
        for r in rules:
            if matches(r, selector) or r.id == selector.upper():
                overrides[r.id] = level if isinstance(level, Level) else Level.parse(level)
    return RuleSet(select_rules(rules, select, ignore), overrides)
