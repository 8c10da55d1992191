"""Inputs made of parts (a Capacitor project: its config, its web build, its native files).

A reader may put `(mount, root_resource, part_bundle)` triples in
`Bundle.parts`. Each part is audited by the rules for its own kind,
and its findings are moved into the whole's resource paths: a part's
`/app.js` becomes `mount + "/app.js"`, a finding on the part itself lands on
`root_resource`. The engine knows nothing else about what the parts are.
"""

from __future__ import annotations

from auditor.engine.findings import Finding, fingerprint
from auditor.engine.location import Location
from auditor.engine.model import Bundle
from auditor.engine.record import replace


def parts(bundle: Bundle) -> tuple[tuple[str, str, Bundle], ...]:
    return bundle.parts


def move(location: Location, mount: str, root_resource: str) -> Location:
    if location.resource is None:
        return replace(location, resource=root_resource)
    if mount and not location.resource.startswith(mount + "/"):
        return replace(location, resource=mount + location.resource)
    return location


def relocate(finding: Finding, mount: str, root_resource: str) -> Finding:
    """The part's finding in the whole's terms (a new fingerprint, stable across runs)."""
    location = move(finding.location, mount, root_resource)
    return replace(
        finding,
        location=location,
        related=tuple(move(r, mount, root_resource) for r in finding.related),
        fingerprint=fingerprint(finding.rule_id, location.resource or "", finding.fingerprint),
    )


def merge(findings: list[Finding], part_findings: list[Finding], mount: str, root_resource: str) -> None:
    """Add a part's findings; an engine finding the whole already has at that place is not repeated."""
    seen = {(f.rule_id, f.location.resource, f.location.span) for f in findings if f.rule_id.startswith("AUD")}
    for finding in part_findings:
        moved = relocate(finding, mount, root_resource)
        if moved.rule_id.startswith("AUD") and (moved.rule_id, moved.location.resource, moved.location.span) in seen:
            continue
        findings.append(moved)
