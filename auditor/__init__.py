"""iwa-audit: a security policy linter for Isolated Web Apps and Capacitor OTA bundles.

Library use::

    from auditor import Settings, audit
    report = audit("dist/app.swbn", rules=select(ignore=["MAN011"]), settings=Settings(expect_id="4dv2..."))
    for finding in report.active():
        print(finding.rule_id, finding.level.label, finding.message)

Kept import-light on purpose: `iwa-audit --version` must not pull in the
parsers, so the public names below are imported on first use.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~5 ms, paid by every `--version`)

__version__ = "0.1.0"
__all__ = ["Limits", "Report", "RuleSet", "Settings", "audit", "select"]

if TYPE_CHECKING:
    from auditor.engine.catalogue import select
    from auditor.engine.limits import Limits
    from auditor.engine.pipeline import audit
    from auditor.engine.registry import RuleSet
    from auditor.engine.runner import Report
    from auditor.engine.settings import Settings



def __getattr__(name: str) -> object:
    """The public API, imported only when first used (keeps `--version` light)."""
    if name == "audit":
        from auditor.engine.pipeline import audit

        return audit
    if name == "Settings":
        from auditor.engine.settings import Settings

        return Settings
    if name == "Limits":
        from auditor.engine.limits import Limits

        return Limits
    if name == "RuleSet":
        from auditor.engine.registry import RuleSet

        return RuleSet
    if name == "Report":
        from auditor.engine.runner import Report

        return Report
    if name == "select":
        from auditor.engine.catalogue import select

        return select
    raise AttributeError(f"module 'auditor' has no attribute {name!r}")
