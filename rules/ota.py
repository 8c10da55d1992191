"""OTA: Capacitor OTA update bundles, configuration and update responses."""

from __future__ import annotations

RULES = ()
