"""auditor.engine.model.Body: a file's bytes searched in place."""

from __future__ import annotations


def test_a_file_body_is_searched_alike_read_or_memory_mapped(tmp_path, monkeypatch):
    import re

    from auditor.engine import model

    path = tmp_path / "a.js"
    path.write_bytes("é\nx = 1; // iwa-audit: ignore\n".encode() * 3)
    body = model.Body(path.stat().st_size, path=path)
    marker = re.compile(rb"iwa-audit:")
    read = [body.search(marker, limit) for limit in (10**6, 23, 22)]
    monkeypatch.setattr(model, "MAPPED_SEARCH_BYTES", 0)  # every file through mmap
    assert [body.search(marker, limit) for limit in (10**6, 23, 22)] == read == [(13, 23, 2, 11), (13, 23, 2, 11), None]
