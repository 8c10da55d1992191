"""SCR: HTML, CSS and JS constructs the IWA policy blocks."""

from __future__ import annotations

RULES = ()
