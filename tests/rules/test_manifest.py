from helpers import audit_lines


def test_man001_flags_missing_manifest(app):
    path = app({"index.html": "<p>hi</p>"})
    assert audit_lines(path, "MAN001") == ["MAN001 error <input> no manifest at `/.well-known/manifest.webmanifest`"]


def test_man001_flags_manifest_at_old_location(app):
    path = app({"index.html": "<p>hi</p>", "manifest.webmanifest": {"name": "x"}})
    assert audit_lines(path, "MAN001") == [
        "MAN001 error /manifest.webmanifest no manifest at `/.well-known/manifest.webmanifest`; "
        "the one at `/manifest.webmanifest` is not read by Chrome"
    ]


def test_man001_allows_well_known_manifest(app):
    path = app({"index.html": "<p>hi</p>", ".well-known/manifest.webmanifest": {"name": "x"}})
    assert audit_lines(path, "MAN001") == []
