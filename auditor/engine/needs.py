"""What a rule needs from the input, and who provides it.

A rule declares `needs=Need.MANIFEST | Need.JS`; before running it the runner
asks each flag's provider, and skips the rule when one answers None (no
manifest that parsed, no script): nothing is parsed for a rule that cannot
fire, and the rule body holds only its own logic. Providers are registered by
the module that knows the thing (the Chrome manifest loader provides
`Need.MANIFEST`), so the engine names no format and no rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from auditor.engine.registry import Need

if TYPE_CHECKING:
    from auditor.engine.context import Context

Provider = Callable[["Context"], object]
P = TypeVar("P", bound=Provider)
PROVIDERS: dict[Need, Provider] = {}


def provides(need: Need) -> Callable[[P], P]:
    """Register the function that supplies `need` (None when the input lacks it)."""

    def register(function: P) -> P:
        PROVIDERS[need] = function
        return function

    return register


def met(ctx: Context, needs: Need) -> bool:
    """True when every declared need with a provider has something to give."""
    return all(PROVIDERS[flag](ctx) is not None for flag in flags(needs) if flag in PROVIDERS)


@cache
def flags(needs: Need) -> tuple[Need, ...]:
    """The single flags of `needs`, in declaration order (enum.Flag's `in` and `bool` are Python calls:
    reading them once per distinct combination instead of per rule and flag saves ~0.5 ms an audit)."""
    return tuple(flag for flag in Need if flag and flag in needs)


def supply(ctx: Context, need: Need) -> object:
    """What the provider of `need` gives (memoised by the provider), None when absent."""
    provider = PROVIDERS.get(need)
    return provider(ctx) if provider is not None else None


@provides(Need.DOCUMENT)
def _document(ctx: Context) -> object:
    return ctx.bundle.document


@provides(Need.SIGNATURES)
def _integrity_block(ctx: Context) -> object:
    return ctx.bundle.integrity
