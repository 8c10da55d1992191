"""Would Chrome install this bundle? One answer, shared by the audit, `inspect` and `release`.

Chrome refuses an Isolated Web App bundle when its integrity block, any
signature, its identity, the web bundle's structure or one of its URLs breaks
a rule (components/web_package/signed_web_bundles/,
components/webapps/isolated_web_apps/ `isolated_web_app_validator.cc`). The
rules that check each of these are tagged `INSTALL`: an error from one of
them is a refusal. The verdict runs exactly those rules, at their own levels
(a user's `levels` or suppressions change what an audit reports, not what
Chrome does), so the audit's findings and this verdict cannot disagree.
`IntegrityBlock.rejection()` is checked as well, so the verdict is never more
lenient than the block's own judgement.
"""

from __future__ import annotations

from auditor.engine.findings import Level
from auditor.engine.model import BUNDLE_KINDS, Bundle
from auditor.engine.record import FrozenRecord, store_fields

INSTALL = "install"  # rule tag: an error from this rule means Chrome refuses to install the bundle


class Refusal(FrozenRecord):
    """One reason Chrome refuses the bundle, named by the rule that reports it in an audit."""

    __slots__ = ("message", "rule_id")
    rule_id: str
    message: str

    def __init__(self, rule_id: str, message: str) -> None:
        store_fields(self, locals())

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}"


class Verdict(FrozenRecord):
    """Chrome's answer for one input; `applies` is False for inputs that are never installed (folders, zips)."""

    __slots__ = ("applies", "refusals")
    applies: bool
    refusals: tuple[Refusal, ...]

    def __init__(self, applies: bool, refusals: tuple[Refusal, ...] = ()) -> None:
        store_fields(self, locals())

    @property
    def installs(self) -> bool:
        return self.applies and not self.refusals

    def describe(self) -> str:
        if not self.applies:
            return "not a bundle: Chrome installs only Signed Web Bundles"
        if not self.refusals:
            return "yes"
        return f"NO: {self.refusals[0]}" + (f" (and {len(self.refusals) - 1} more)" if len(self.refusals) > 1 else "")


def install_rules() -> tuple:
    """Every rule whose errors are install refusals (from the one rule list)."""
    from auditor.engine.catalogue import all_rules

    return tuple(r for r in all_rules() if INSTALL in r.tags)


def install_verdict(bundle: Bundle) -> Verdict:
    """Whether Chrome would install `bundle`: the install rules' errors, plus the block's own rejection."""
    if bundle.kind not in BUNDLE_KINDS:
        return Verdict(applies=False)
    from auditor.engine.pipeline import audit
    from auditor.engine.registry import RuleSet
    from auditor.engine.settings import Settings

    # The rules alone, at their own levels, with no suppressions: what Chrome does, not what a user accepted.
    report = audit(bundle.source, rules=RuleSet(install_rules()), settings=Settings(apply_suppressions=False), bundle=bundle)
    refusals = [Refusal(f.rule_id, f.message) for f in report.findings if f.level is Level.ERROR]
    block = bundle.integrity
    rejection = block.rejection() if block is not None else None
    if rejection is not None and not any(r.rule_id.startswith("SIG") for r in refusals):
        refusals.append(Refusal("SIG", rejection))
    return Verdict(applies=True, refusals=tuple(refusals))
