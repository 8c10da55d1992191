"""SIG: integrity block, signatures and the Web Bundle ID."""

from __future__ import annotations

RULES = ()
