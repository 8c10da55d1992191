"""UPD: the IWA update manifest and update_manifest_url."""

from __future__ import annotations

RULES = ()
