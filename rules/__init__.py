"""auditor.rules: every built-in rule family, listed explicitly.

This folder is installed as `auditor.rules` (see pyproject's package-dir), never
as a top-level `rules` module. Each family module ends with a `RULES` tuple;
`ALL_RULES` is their concatenation in the order below.
"""

if __name__ != "auditor.rules":  # pragma: no cover - guards against a second identity
    raise ImportError("import this package as auditor.rules, not as a top-level 'rules'")

from auditor.rules import (
    bundle,
    content,
    entry_points,
    headers,
    manifest,
    ota_archive,
    ota_config,
    ota_response,
    permissions,
    signatures,
    update,
)

FAMILIES = (bundle, signatures, manifest, update, permissions, headers, content, entry_points, ota_archive, ota_response, ota_config)
ALL_RULES = tuple(r for family in FAMILIES for r in family.RULES)
