"""Decoded texts live in a bounded cache, not for the whole audit."""

from __future__ import annotations

from auditor.engine.context import TextCache


def test_least_recently_used_texts_go_past_the_limit():
    cache = TextCache(limit=10)
    cache.put("/a", "aaaa")
    cache.put("/b", "bbbb")
    assert cache.get("/a")[:2] == ["aaaa", None]  # /a is now the most recent
    cache.put("/c", "cccc")
    assert cache.get("/b") is None and cache.get("/a") is not None and cache.total == 8


def test_one_text_larger_than_the_limit_is_still_kept_while_used():
    cache = TextCache(limit=3)
    cache.put("/big", "x" * 10)
    assert cache.get("/big")[:2] == ["x" * 10, None]


def test_a_dropped_text_is_decoded_again_with_the_same_positions(app):
    from helpers import audit_lines

    root = app({"index.html": "<script>alert(1)</script>\n<p>é</p>", "a.js": "el.innerHTML = s;", ".well-known/manifest.webmanifest": {"name": "a"}})
    import auditor.engine.context as context

    full = audit_lines(root)
    saved = context.TEXT_CACHE_BYTES
    try:
        context.TEXT_CACHE_BYTES = 1  # every text dropped as soon as another is read
        from auditor.engine.pipeline import audit

        report = audit(root)
        assert len(report.session.texts.entries) == 1
        assert audit_lines(root) == full and full
    finally:
        context.TEXT_CACHE_BYTES = saved


def test_a_text_parsed_as_json_is_parsed_once_and_goes_with_its_text(tmp_path, monkeypatch):
    import json

    from auditor.engine.context import AuditSession, Context
    from auditor.readers import open_input

    (tmp_path / "app.js.map").write_text('{"version": 3, "mappings": "AAAA"}')
    (tmp_path / "bad.json").write_text("{nope")
    ctx = Context(AuditSession(open_input(tmp_path)))
    resource = ctx.bundle.resources["/app.js.map"]
    first = ctx.json_value(resource)
    assert first == {"version": 3, "mappings": "AAAA"}
    monkeypatch.setattr(json, "loads", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed again")))
    assert ctx.json_value(resource) is first
    monkeypatch.undo()
    assert ctx.json_value(ctx.bundle.resources["/bad.json"]) is None  # not JSON: None, no exception
    ctx.session.texts.drop("/app.js.map")
    assert ctx.json_value(resource) == first and ctx.json_value(resource) is not first  # read and parsed again
