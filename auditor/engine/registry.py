"""Rules as data: the Rule record, the @rule decorator, and selection.

The engine names no rule. `auditor.engine.catalogue.all_rules()` lists what ships:
the engine's own diagnostics and every family's explicit `RULES` tuple.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING

from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.lazy import LazyPattern
from auditor.engine.model import IWA_KINDS, InputKind
from auditor.engine.record import FrozenRecord, store_fields

if TYPE_CHECKING:
    from auditor.engine.context import Context

ID_PATTERN = LazyPattern(r"^[A-Z]{3}\d{3}$")
NAME_PATTERN = LazyPattern(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PREFIX_PATTERN = LazyPattern(r"^[A-Za-z]{3}\d{0,3}$")


class Need(enum.Flag):
    """What a rule reads, so the engine can skip parsing nobody needs."""

    NONE = 0
    MANIFEST = enum.auto()         # the app has a manifest resource (it may not parse)
    MANIFEST_OBJECT = enum.auto()  # the manifest parsed to a JSON object
    HEADERS = enum.auto()
    HTML = enum.auto()
    CSS = enum.auto()
    JS = enum.auto()
    SIGNATURES = enum.auto()       # the input has an integrity block (any version)
    V2_BLOCK = enum.auto()         # the integrity block is v2 (v1 blocks get SIG002 only)
    ANDROID_MANIFEST = enum.auto() # a Capacitor project's AndroidManifest.xml, parsed
    INFO_PLIST = enum.auto()       # a Capacitor project's iOS Info.plist, parsed
    DOCUMENT = enum.auto()  # a JSON-document input (update manifest, config, response)


Check = Callable[["Context"], Iterable[Hit]]


class Rule(FrozenRecord):
    """One rule: identity, default level, and the generator that finds hits, whose docstring is its docs."""

    __slots__ = ("aliases", "check", "collect", "id", "inputs", "level", "name", "needs", "per_resource", "precision", "security_severity", "tags")
    id: str
    name: str
    level: Level
    check: Check
    inputs: frozenset[InputKind]
    needs: Need
    tags: tuple[str, ...]
    precision: Precision
    security_severity: float | None
    aliases: tuple[str, ...]
    per_resource: bool  # its hits are the union of its hits on each content resource alone
    collect: Callable[[Context], object] | None  # summarises one resource in scope for a rule that aggregates

    def __init__(
        self,
        id: str,
        name: str,
        level: Level,
        check: Check,
        inputs: frozenset[InputKind] = IWA_KINDS,
        needs: Need = Need.NONE,
        tags: tuple[str, ...] = (),
        precision: Precision = Precision.HIGH,
        security_severity: float | None = None,
        aliases: tuple[str, ...] = (),
        per_resource: bool = False,
        collect: Callable[[Context], object] | None = None,
    ) -> None:
        store_fields(self, locals())

    @property
    def summary(self) -> str:
        """The docstring's first line: what --list-rules and SARIF's short description show."""
        return split_docs(self.check.__doc__)[0]

    @property
    def docs(self) -> str:
        """The rest of the docstring, dedented Markdown (read for --explain, SARIF and docs/rules, not for an audit)."""
        return split_docs(self.check.__doc__)[1]

    @property
    def family(self) -> str:
        return self.id[:3]

    def __call__(self, ctx: Context) -> Iterator[Hit]:
        return iter(self.check(ctx))


DEFAULT_SEVERITY = {Level.ERROR: 7.5, Level.WARNING: 5.0, Level.NOTE: 2.0}


@cache
def split_docs(doc: str | None) -> tuple[str, str]:
    """First docstring line is the summary; the rest (dedented) is the Markdown docs."""
    import inspect  # only when docs are read: an audit does not

    text = inspect.cleandoc(doc or "")
    summary, _, body = text.partition("\n")
    return summary.strip(), body.strip()


def rule(
    *,
    id: str,
    name: str,
    level: Level,
    inputs: Iterable[InputKind] = IWA_KINDS,
    needs: Need = Need.NONE,
    tags: Sequence[str] = (),
    precision: Precision = Precision.HIGH,
    security_severity: float | None = None,
    aliases: Sequence[str] = (),
    per_resource: bool = False,
    collect: Callable[[Context], object] | None = None,
) -> Callable[[Check], Rule]:
    """Turn a documented generator function into a Rule; the function's docstring is the docs.

    `per_resource=True` says the rule reads content only through the scoped parse
    helpers (`documents`, `sheets`, `scripts`...) and its findings for the app are
    the union of its findings on each resource alone: the engine then runs it one
    resource at a time, with every other such rule, and drops that resource's
    parse results before the next (memory bounded by one resource, not the app).
    A rule that aggregates over the app instead names a `collect` function: the
    engine calls it in each resource's scope during that pass, where it stores a
    compact `ctx.summary` the rule later reads (`ctx.summaries`), not whole trees.
    """

    def wrap(check: Check) -> Rule:
        return Rule(
            id=id,
            name=name,
            level=level,
            check=check,
            inputs=frozenset(inputs),
            needs=needs,
            tags=tuple(tags),
            precision=precision,
            security_severity=security_severity,
            aliases=tuple(aliases),
            per_resource=per_resource,
            collect=collect,
        )

    return wrap


def matches(rule_: Rule, selector: str) -> bool:
    """True when a --select/--ignore token names this rule: id, id prefix, name or alias."""
    token = selector.strip()
    if not token:
        return False
    if token.upper() == "ALL":
        return True
    if token == rule_.name or token.upper() in (a.upper() for a in rule_.aliases):
        return True
    return bool(PREFIX_PATTERN.match(token)) and rule_.id.startswith(token.upper())


def unknown_selectors(rules: Sequence[Rule], selectors: Iterable[str]) -> list[str]:
    """Tokens that select nothing: a typo should be an error, not a silent no-op."""
    return [s for s in selectors if s.strip() and not any(matches(r, s) for r in rules)]


ALWAYS_ON = frozenset({"AUD001", "AUD002", "AUD003"})  # an audit that could not run must say so


def select_rules(
    rules: Sequence[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> tuple[Rule, ...]:
    """Rules enabled by --select (default all) minus --ignore.

    The three diagnostics that mark an audit incomplete (unreadable input, a
    crashed rule, a passed limit) always stay: ignoring them would turn an
    audit that did not happen into a clean one. Every other rule, the
    suppression diagnostics AUD004/AUD005 included, obeys the selection.
    """
    chosen = []
    for r in rules:
        if r.id in ALWAYS_ON:
            chosen.append(r)
            continue
        if select and not any(matches(r, s) for s in select):
            continue
        if any(matches(r, s) for s in ignore):
            continue
        chosen.append(r)
    return tuple(chosen)


class RuleSet(FrozenRecord):
    """The enabled rules plus per-rule level overrides from configuration."""

    __slots__ = ("levels", "rules")
    rules: tuple[Rule, ...]
    levels: dict[str, Level]

    def __init__(self, rules: tuple[Rule, ...], levels: dict[str, Level] | None = None) -> None:
        levels = {} if levels is None else levels
        store_fields(self, locals())

    def level_of(self, rule_: Rule) -> Level:
        return self.levels.get(rule_.id, rule_.level)
