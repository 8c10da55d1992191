"""BND: Web Bundle format and structure."""

from __future__ import annotations

RULES = ()
