"""auditor.engine.needs: a rule runs only when each flag it needs has something to give."""

from __future__ import annotations

from auditor.engine import needs
from auditor.engine.registry import Need


def test_flags_are_the_single_needs_of_a_combination_in_declaration_order():
    assert needs.flags(Need.JS | Need.MANIFEST) == (Need.MANIFEST, Need.JS)
    assert needs.flags(Need.NONE) == ()
    assert needs.flags(Need.HTML | Need.HTML) is needs.flags(Need.HTML)  # read once per combination


def test_met_asks_each_needed_provider_and_only_those(monkeypatch):
    asked = []
    monkeypatch.setattr(needs, "PROVIDERS", {Need.MANIFEST: lambda ctx: asked.append("manifest") or {}, Need.JS: lambda ctx: asked.append("js")})
    assert needs.met(None, Need.NONE) and asked == []
    assert needs.met(None, Need.MANIFEST | Need.HTML) and asked == ["manifest"]  # HTML has no provider here
    assert not needs.met(None, Need.JS | Need.MANIFEST)
