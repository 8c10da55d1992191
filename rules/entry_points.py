"""LNK: deep links and entry points."""

from __future__ import annotations

RULES = ()
