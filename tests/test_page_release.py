"""Bodies inside a bundle's memory map drop their pages after each read or scan, and read the same after."""

from __future__ import annotations

import re

from builders import build_wbn

from auditor.engine.pipeline import read


def test_mapped_bodies_release_their_pages_and_still_read_the_same(tmp_path, monkeypatch):
    body = b"\x89PNG" + bytes(range(256)) * 64 + b"ghp_" + b"a" * 36
    path = tmp_path / "app.wbn"
    path.write_bytes(build_wbn({"": b"<p>hi</p>", "a.png": body, ".well-known/manifest.webmanifest": {"name": "x"}}))
    bundle = read(path)
    resource = bundle.resources["/a.png"]
    released = []
    real = resource.body._release
    assert real is not None, "a body in the map must know how to release its pages"
    monkeypatch.setattr(resource.body, "_release", lambda: released.append(1) or real())
    assert resource.body.read() == body
    assert resource.body.read() == body  # pages fault back in from the page cache
    found = resource.body.search(re.compile(rb"ghp_[A-Za-z0-9]{36}"), 1 << 20)
    assert found is not None and found[0] == body.index(b"ghp_")
    assert released == [1, 1, 1]
