"""`guess_content_type` takes a name's suffix without `os.path.splitext` when it can: the same suffix."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.readers.folder import MIME_OVERRIDES, guess_content_type


def reference(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in MIME_OVERRIDES:
        return MIME_OVERRIDES[suffix]
    import mimetypes

    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("ab./\\:JSjs"), max_size=12) | st.sampled_from(["a.JS", ".js", "a/.js", "a/..js", "a.b/c", "x.tar.gz", "dir/", "C:a.js", "a\\b.css"]))
def test_the_quick_suffix_gives_what_splitext_gives(name):
    assert guess_content_type(name) == reference(name)


def test_common_names():
    assert [guess_content_type(n) for n in ("assets/app.JS", "a/.js", "index.html", "x.tar.gz")] == [
        "application/javascript", "application/octet-stream", "text/html", "application/x-tar",
    ]
