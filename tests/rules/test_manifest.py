"""MAN rules: each flagged on a manifest built to break one thing, and allowed on its neighbour."""

from __future__ import annotations

import json

import pytest
from helpers import audit_lines, png, position

M = "/.well-known/manifest.webmanifest"
GOOD = {
    "name": "Chat",
    "id": "/",
    "scope": "/",
    "start_url": "/",
    "version": "1.0.0",
    "display": "standalone",
    "icons": [{"src": "/icon.png", "sizes": "256x256", "purpose": "any"}],
}


def q(value: str) -> str:
    """The value as it is written in the JSON text."""
    return json.dumps(value)


def manifest_app(app, manifest: dict | str, **files):
    """A folder app with the given manifest (a dict is written one member per line)."""
    text = manifest if isinstance(manifest, str) else json.dumps(manifest, indent=1)
    tree = {"index.html": "<p>hi</p>", "icon.png": png(256, 256), ".well-known/manifest.webmanifest": text, **files}
    return app(tree), text


def with_(**changes) -> dict:
    data = {**GOOD, **changes}
    return {k: v for k, v in data.items() if v is not None}


def test_good_manifest_is_clean(app):
    path, _ = manifest_app(app, GOOD)
    assert audit_lines(path, "MAN") == []


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


def test_man002_flags_comment_at_its_position(app):
    text = '{\n  "name": "Chat", // ours\n  "version": "1.0.0"\n}'
    path, _ = manifest_app(app, text)
    [line] = audit_lines(path, "MAN002")
    assert line.startswith(f"MAN002 error {M}:{position(text, '//')} manifest is not strict JSON")


def test_man002_flags_array_top_level(app):
    path, _ = manifest_app(app, "[1]")
    assert audit_lines(path, "MAN002") == [f"MAN002 error {M}:1:1 manifest top level is list, not an object"]


def test_man002_allows_strict_json(app):
    path, _ = manifest_app(app, GOOD)
    assert audit_lines(path, "MAN002") == []


def test_man003_flags_wrong_types_at_the_member(app):
    path, text = manifest_app(app, with_(icons="/icon.png", shortcuts=[{"name": "n", "url": 7}]))
    assert audit_lines(path, "MAN003") == [
        f"MAN003 error {M}:{position(text, q('/icon.png'))} `/icons`: must be array, not a string",
        f"MAN003 error {M}:{position(text, '7')} `/shortcuts/0/url`: must be string, not a number",
    ]


def test_man003_flags_icon_without_src_and_bad_display(app):
    path, text = manifest_app(app, with_(display="window", icons=[{"sizes": "1x1"}]))
    assert audit_lines(path, "MAN003") == [
        f"MAN003 error {M}:{position(text, q('window'))} `/display`: must be one of \"fullscreen\", \"standalone\", \"minimal-ui\", \"browser\"",
        f"MAN003 error {M}:{position(text, '{', 2)} `/icons/0`: `src` is required",
    ]


def test_man003_allows_documented_shapes(app):
    path, _ = manifest_app(app, with_(permissions_policy={"camera": ["self"]}, shortcuts=[{"name": "n", "url": "/"}]))
    assert audit_lines(path, "MAN003") == []


@pytest.mark.parametrize(
    ("version", "why"),
    [
        ("1a2", "component 1 `1a2` is not made only of ASCII digits"),
        ("01.2", "component 1 `01` has a leading zero"),
        ("1.2.3.4.5", "has 5 components; Chrome accepts 1 to 4"),
        (" 1.0", "component 1 ` 1` is not made only of ASCII digits"),
        ("1.4294967296", "component 2 `4294967296` is larger than 4294967295"),
        ("1..2", "component 2 is empty"),
        ("1.2.0-beta", "component 3 `0-beta` is not made only of ASCII digits"),
        ("\u0661.0", "component 1 `\u0661` is not made only of ASCII digits"),
    ],
)
def test_man004_flags_versions_chrome_rejects(app, version, why):
    path, text = manifest_app(app, with_(version=version))
    assert audit_lines(path, "MAN004") == [f"MAN004 error {M}:{position(text, q(version))} `version` {q(version)} {why}"]


def test_man004_flags_missing_version(app):
    path, _ = manifest_app(app, with_(version=None))
    assert audit_lines(path, "MAN004") == [f"MAN004 error {M}:1:1 manifest has no `version`; Chrome refuses to install it"]


@pytest.mark.parametrize("version", ["0", "1.0", "1.2.3.4", "4294967295.0", "10.20.30"])
def test_man004_allows_versions_chrome_accepts(app, version):
    path, _ = manifest_app(app, with_(version=version))
    assert audit_lines(path, "MAN004") == []


def test_man005_flags_id_with_a_path(app):
    path, text = manifest_app(app, with_(id="/chat/"))
    assert audit_lines(path, "MAN005") == [f"MAN005 error {M}:{position(text, q('/chat/'))} `id` \"/chat/\" resolves to `/chat/`; Chrome requires the path `/`"]


def test_man005_flags_missing_id_with_deep_start_url(app):
    path, text = manifest_app(app, with_(id=None, start_url="/index.html"), **{"index.html": "<p>"})
    assert audit_lines(path, "MAN005") == [
        f"MAN005 error {M}:{position(text, q('/index.html'))} with no `id`, `start_url` \"/index.html\" resolves to `/index.html`; Chrome requires the path `/`"
    ]


@pytest.mark.parametrize("value", ["/", "./..", "/?q=1"])
def test_man005_allows_ids_whose_path_is_root(app, value):
    path, _ = manifest_app(app, with_(id=value))
    assert audit_lines(path, "MAN005") == []


def test_man006_flags_scope_below_origin(app):
    path, text = manifest_app(app, with_(scope="/app/"))
    assert audit_lines(path, "MAN006") == [f"MAN006 error {M}:{position(text, q('/app/'))} `scope` \"/app/\" is not the app origin"]


def test_man006_flags_https_scope(app):
    path, text = manifest_app(app, with_(scope="https://example.com/"))
    assert audit_lines(path, "MAN006") == [f"MAN006 error {M}:{position(text, q('https://example.com/'))} `scope` \"https://example.com/\" is not the app origin"]


def test_man006_allows_root_scope_or_root_start_url(app):
    path, _ = manifest_app(app, with_(scope=None))
    assert audit_lines(path, "MAN006") == []


def test_man007_flags_blank_names(app):
    path, text = manifest_app(app, with_(name="  ", short_name=""))
    assert audit_lines(path, "MAN007") == [f"MAN007 error {M}:{position(text, q('  '))} manifest has no non-empty `name` or `short_name`"]


def test_man007_allows_short_name_alone(app):
    path, _ = manifest_app(app, with_(name=None, short_name="C"))
    assert audit_lines(path, "MAN007") == []


def test_man008_flags_start_url_naming_a_missing_file(app):
    path, text = manifest_app(app, with_(start_url="/index.htm"))
    assert audit_lines(path, "MAN008") == [
        f"MAN008 error {M}:{position(text, q('/index.htm'))} `start_url` \"/index.htm\" names `/index.htm`, which the app does not contain"
    ]


def test_man008_flags_missing_start_url(app):
    path, _ = manifest_app(app, with_(start_url=None))
    assert audit_lines(path, "MAN008") == [
        f"MAN008 error {M}:1:1 manifest has no `start_url`; the app would launch the install page, which exists only during install"
    ]


def test_man008_allows_start_url_with_query(app):
    path, _ = manifest_app(app, with_(start_url="/index.html?source=launcher#top"), **{"index.html": "<p>"})
    assert audit_lines(path, "MAN008") == []


def test_man009_flags_missing_and_non_image_icons(app):
    icons = [{"src": "/icon.png", "sizes": "256x256"}, {"src": "/missing.png"}, {"src": "/notes.txt"}, {"src": "https://cdn.example/i.png"}]
    path, text = manifest_app(app, with_(icons=icons), **{"notes.txt": "hi"})
    assert audit_lines(path, "MAN009") == [
        f"MAN009 error {M}:{position(text, q('/missing.png'))} icon `/missing.png` is not in the app; Chrome fails the whole install",
        f"MAN009 error {M}:{position(text, q('/notes.txt'))} icon `/notes.txt` is served as `text/plain`, not an image",
        f"MAN009 error {M}:{position(text, q('https://cdn.example/i.png'))} icon \"https://cdn.example/i.png\" is not on the app origin; Chrome will not fetch it",
    ]


def test_man009_allows_relative_icon_resolved_against_manifest(app):
    path, _ = manifest_app(app, with_(icons=[{"src": "../icon.png", "sizes": "256x256"}]))
    assert audit_lines(path, "MAN009") == []


def test_man010_flags_icon_smaller_than_it_claims(app):
    path, text = manifest_app(app, with_(icons=[{"src": "/small.png", "sizes": "512x512"}]), **{"small.png": png(48, 48)})
    assert audit_lines(path, "MAN010") == [
        f"MAN010 error {M}:{position(text, '[')} no icon is usable for install: Chrome needs a PNG, WebP or SVG of at least 144 px "
        "with `sizes` and purpose `any`; checked `/small.png` (png 48x48)"
    ]


def test_man010_flags_maskable_only(app):
    path, _ = manifest_app(app, with_(icons=[{"src": "/icon.png", "sizes": "256x256", "purpose": "maskable"}]))
    assert [ln.split(" ")[0] for ln in audit_lines(path, "MAN010")] == ["MAN010"]


def test_man010_allows_svg_icon(app):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>'
    path, _ = manifest_app(app, with_(icons=[{"src": "/i.svg", "sizes": "any", "purpose": "any maskable"}]), **{"i.svg": svg})
    assert audit_lines(path, "MAN010") == []


def test_man011_flags_browser_display_and_borderless_without_permission(app):
    path, text = manifest_app(app, with_(display="browser", display_override=["borderless"]))
    assert audit_lines(path, "MAN011") == [
        f"MAN011 note {M}:{position(text, q('browser'))} `display` is `browser`, but Chrome opens every IWA standalone",
        f"MAN011 note {M}:{position(text, q('borderless'))} `display_override` asks for `borderless`, which needs `window-management` in `permissions_policy`",
    ]


def test_man011_allows_borderless_with_window_management(app):
    path, _ = manifest_app(app, with_(display_override=["borderless"], permissions_policy={"window-management": ["self"]}))
    assert audit_lines(path, "MAN011") == []


def test_man012_flags_scope_extensions(app):
    path, text = manifest_app(app, with_(scope_extensions=[{"origin": "https://example.com"}]))
    [line] = audit_lines(path, "MAN012")
    assert line.startswith(f"MAN012 note {M}:{position(text, q('scope_extensions'))} `scope_extensions` is ignored for IWAs")


def test_man012_allows_ordinary_members(app):
    path, _ = manifest_app(app, with_(description="d", theme_color="#fff"))
    assert audit_lines(path, "MAN012") == []


def test_man013_flags_duplicate_version_key(app):
    text = json.dumps(GOOD, indent=1)[:-2] + ',\n "version": "0.9.0"\n}'
    path, _ = manifest_app(app, text)
    assert audit_lines(path, "MAN013") == [f"MAN013 warning {M}:{position(text, q('version'), 2)} key `/version` appears more than once; Chrome keeps the last"]


def test_man013_allows_same_key_in_different_objects(app):
    path, _ = manifest_app(app, with_(icons=[{"src": "/icon.png", "sizes": "256x256"}, {"src": "/icon.png", "sizes": "144x144"}]))
    assert audit_lines(path, "MAN013") == []


def test_man002_flags_deep_nesting_with_a_location(app):
    text = '{"name": "x", "deep": ' + "[" * 200 + "]" * 200 + "}"
    path, _ = manifest_app(app, text)
    [line] = audit_lines(path, "MAN002")
    assert line.startswith(f"MAN002 error {M}:1:") and "nesting deeper than 64 levels" in line


def test_huge_manifest_is_not_read_and_aud003_names_the_limit(app, capsys):
    from auditor.cli import main

    path, _ = manifest_app(app, '{"name": "' + "x" * 2048 + '"}')
    assert main([str(path), "--select", "MAN", "--limit", "max_text_resource_bytes=1K"]) == 2  # the audit is incomplete
    out = capsys.readouterr().out
    assert "error[AUD003] `/.well-known/manifest.webmanifest` is 2060 bytes" in out
    assert "MAN0" not in out


def test_update_manifest_over_chrome_limit_is_a_clear_input_error(tmp_path, capsys):
    from auditor.cli import main

    path = tmp_path / "update.json"
    path.write_text('{"versions": [], "pad": "' + "x" * (5 * 1024 * 1024) + '"}', encoding="utf-8")
    assert main([str(path)]) == 2
    out = capsys.readouterr()
    assert "Chrome reads at most 5242880 (max_update_manifest_bytes)" in out.out + out.err
    assert "Traceback" not in out.err
