"""PRM: permissions_policy against the bundle's Permissions-Policy headers."""

from __future__ import annotations

RULES = ()
