"""MAN008 and LNK003 on entries that exist but are not 200: the app (or that entry point) cannot open."""

from __future__ import annotations

from builders import Response, simple_app
from helpers import audit_lines
from test_bundle import signed

REDIRECT = Response(b"", {"location": "./"}, status="301")


def manifest(**members) -> dict:
    return {"name": "App", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", **members}


def test_man008_flags_start_url_naming_a_redirect(tmp_path):
    files = simple_app(manifest(start_url="/index.html"), **{"index.html": REDIRECT})
    path, _ = signed(tmp_path, files)
    (line,) = audit_lines(path, "MAN008")
    assert line.startswith("MAN008 error /.well-known/manifest.webmanifest:")
    assert "`/index.html`, whose response has status 301" in line and "cannot launch" in line


def test_man008_allows_start_url_of_the_directory_beside_the_wbn_redirect(tmp_path):
    files = simple_app(manifest(start_url="/"), **{"index.html": REDIRECT})
    path, _ = signed(tmp_path, files)
    assert audit_lines(path, "MAN008") == []


def test_lnk003_flags_shortcut_naming_a_redirect(tmp_path):
    files = simple_app(manifest(shortcuts=[{"name": "Home", "url": "/index.html"}]), **{"index.html": REDIRECT})
    path, _ = signed(tmp_path, files)
    (line,) = audit_lines(path, "LNK003")
    assert line.startswith("LNK003 error /.well-known/manifest.webmanifest:")
    assert "`shortcuts[0].url` \"/index.html\" names `/index.html`, whose response has status 301" in line


def test_lnk003_allows_shortcut_naming_a_200_page(tmp_path):
    files = simple_app(manifest(shortcuts=[{"name": "New", "url": "/new.html"}]), **{"new.html": "<p>new</p>"})
    path, _ = signed(tmp_path, files)
    assert audit_lines(path, "LNK003") == []
