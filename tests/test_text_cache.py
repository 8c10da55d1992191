"""Decoded texts live in a bounded cache, not for the whole audit."""

from __future__ import annotations

from auditor.engine.context import TextCache


def test_least_recently_used_texts_go_past_the_limit():
    cache = TextCache(limit=10)
    cache.put("/a", "aaaa")
    cache.put("/b", "bbbb")
    assert cache.get("/a") == ["aaaa", None]  # /a is now the most recent
    cache.put("/c", "cccc")
    assert cache.get("/b") is None and cache.get("/a") is not None and cache.total == 8


def test_one_text_larger_than_the_limit_is_still_kept_while_used():
    cache = TextCache(limit=3)
    cache.put("/big", "x" * 10)
    assert cache.get("/big") == ["x" * 10, None]


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
