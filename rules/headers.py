"""HDR: security headers carried by bundle responses (CSP, COOP, COEP, CORP)."""

from __future__ import annotations

RULES = ()
