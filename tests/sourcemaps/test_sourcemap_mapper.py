"""Mapper (auditor/engine/mapping.py): finding a resource's map, resolving sources inside the repository, HTML copies.

Each test lays out a small repository (`src/` plus a built `dist/`) in a temp
folder and asks where a built span was written.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from builders import build_wbn, ed25519_key, sign
from helpers import write_tree
from sourcemap_builder import source_map

from auditor.engine.context import AuditSession, Context
from auditor.engine.location import Span
from auditor.engine.mapping import Mapper
from auditor.readers import open_input

NET_TS = 'export function send(url: string) {\n  const label = "hi";\n  return fetch("http://example.com/api" + url);\n}\n'
BUILT = 'function s(n){return fetch("http://example.com/api"+n)}\n'
FETCH = BUILT.index("fetch") + 1   # 1-based column of `fetch` in the built line
STRING = BUILT.index('"http') + 1  # ... and of the string literal
# segments: `function s` ← line 0 col 0, `fetch` ← line 2 col 9, the string ← line 2 col 15
SEGMENTS = [[(0, 0, 0, 0), (FETCH - 1, 0, 2, 9), (STRING - 1, 0, 2, 15), (STRING + 23, 0, 2, 40)]]


def mapper(input_path: Path, root: Path, **kwargs) -> Mapper:
    bundle = open_input(input_path)
    ctx = Context(AuditSession(bundle))
    return Mapper(bundle, root=root, text_of=ctx.text, index_of=ctx.text_index, **kwargs)


def locate(m: Mapper, resource: str, line: int, column: int, end_column: int | None = None):
    span = Span(line, column, line, end_column or column + 1)
    return m.locate([(resource, span)]).get((resource, span))


def repo(tmp_path: Path, files: dict) -> Path:
    return write_tree(tmp_path / "repo", files)


def test_sourcemappingurl_comment_maps_to_the_repository_file(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT + "//# sourceMappingURL=app.js.map\n", "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    original = locate(mapper(root / "dist", root), "/app.js", 1, FETCH, FETCH + 5)
    assert (original.path, original.span) == ("src/net.ts", Span(3, 10, 3, 15))
    assert original.line_text == '  return fetch("http://example.com/api" + url);'
    assert original.note is None


def test_a_column_inside_a_verbatim_token_moves_by_the_same_amount(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    inside = STRING + 8  # the `e` of example.com, inside the copied literal
    original = locate(mapper(root / "dist", root), "/app.js", 1, inside)
    assert original.span.start_column == 16 + 8


def test_a_renamed_token_keeps_the_segment_start(tmp_path):
    # the built `n` stands for `url`: no verbatim copy, so the column is the segment's own
    built = "function s(n){return n}\n"
    segments = [[(0, 0, 0, 0), (21, 0, 0, 48, 0)]]
    root = repo(tmp_path, {"src/net.ts": "export function send(url: string) { return url }\n", "dist/app.js": built, "dist/app.js.map": source_map(segments, ["../src/net.ts"], names=["url"])})
    original = locate(mapper(root / "dist", root), "/app.js", 1, 22)
    assert (original.span.start_line, original.span.start_column, original.name) == (1, 49, "url")


def test_sibling_map_without_a_comment(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    assert locate(mapper(root / "dist", root), "/app.js", 1, FETCH).path == "src/net.ts"


def test_inline_data_url_map(tmp_path):
    payload = base64.b64encode(json.dumps(source_map(SEGMENTS, ["../src/net.ts"])).encode()).decode()
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT + f"//# sourceMappingURL=data:application/json;base64,{payload}\n"})
    assert locate(mapper(root / "dist", root), "/app.js", 1, FETCH).span.start_line == 3


def test_source_maps_dir_holds_maps_the_build_did_not_ship(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/assets/app.js": BUILT, "maps/assets/app.js.map": source_map(SEGMENTS, ["../../src/net.ts"])})
    original = locate(mapper(root / "dist", root, maps_dir=root / "maps"), "/assets/app.js", 1, FETCH)
    assert original.path == "src/net.ts"
    assert locate(mapper(root / "dist", root), "/assets/app.js", 1, FETCH) is None


def test_source_root_is_applied(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["net.ts"], root="../src")})
    assert locate(mapper(root / "dist", root), "/app.js", 1, FETCH).path == "src/net.ts"


def test_webpack_pseudo_urls_resolve_against_the_project(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["webpack://my-app/./src/net.ts"])})
    assert locate(mapper(root / "dist", root), "/app.js", 1, FETCH).path == "src/net.ts"


def test_ignore_list_sources_are_flagged(tmp_path):
    root = repo(tmp_path, {"node_modules/lib/index.js": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../node_modules/lib/index.js"], ignore=[0])})
    original = locate(mapper(root / "dist", root), "/app.js", 1, FETCH)
    assert (original.path, original.ignored) == ("node_modules/lib/index.js", True)


def test_sources_content_gives_the_text_when_the_file_is_absent(tmp_path):
    root = repo(tmp_path, {"dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"], contents=[NET_TS])})
    original = locate(mapper(root / "dist", root), "/app.js", 1, FETCH)
    assert (original.path, original.source) == (None, "src/net.ts")
    assert original.span.start_line == 3
    assert original.line_text.startswith("  return fetch(")
    assert "not a file of the repository" in original.note


def test_a_stale_map_leaves_the_built_location_primary(tmp_path):
    changed = NET_TS.replace("  const label", "  // a new line\n  const label")
    root = repo(tmp_path, {"src/net.ts": changed, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"], contents=[NET_TS])})
    original = locate(mapper(root / "dist", root), "/app.js", 1, FETCH)
    assert original.path is None
    assert "stale" in original.note
    assert original.line_text.startswith("  return fetch(")  # from sourcesContent, where the position is right


def test_css_map(tmp_path):
    scss = "$c: red;\n.box {\n  background: url(http://cdn.example.com/a.png);\n}\n"
    css = ".box{background:url(http://cdn.example.com/a.png)}\n/*# sourceMappingURL=style.css.map */\n"
    col = css.index("url(") + 1
    root = repo(tmp_path, {"styles/main.scss": scss, "dist/style.css": css, "dist/style.css.map": source_map([[(0, 0, 1, 0), (col - 1, 0, 2, 14)]], ["../styles/main.scss"])})
    original = locate(mapper(root / "dist", root), "/style.css", 1, col)
    assert (original.path, original.span.start_line, original.span.start_column) == ("styles/main.scss", 3, 15)


def test_astral_characters_before_the_finding(tmp_path):
    built = 'let f="🔥";fetch("x")\n'
    col = built.index("fetch") + 1  # code points; the map counts the emoji as two UTF-16 units
    ts = 'let f = "🔥";\nfetch("x");\n'
    root = repo(tmp_path, {"src/a.ts": ts, "dist/app.js": built, "dist/app.js.map": source_map([[(0, 0, 0, 0), (col, 0, 1, 0)]], ["../src/a.ts"])})
    assert locate(mapper(root / "dist", root), "/app.js", 1, col).span.start_line == 2


@pytest.mark.parametrize("source", ["../../outside.ts", "/etc/hostname", "file:///etc/hostname", "webpack://app/../../outside.ts"])
def test_sources_outside_the_repository_are_never_read(tmp_path, source):
    (tmp_path / "outside.ts").write_text(NET_TS)
    root = repo(tmp_path, {"dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, [source])})
    original = locate(mapper(root / "dist", root), "/app.js", 1, FETCH)
    assert original.path is None and original.index is None
    assert "outside" in original.note or "leaves the project" in original.note


def test_a_symlink_out_of_the_repository_is_not_followed(tmp_path):
    (tmp_path / "secret.ts").write_text(NET_TS)
    root = repo(tmp_path, {"dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    (root / "src").mkdir()
    os.symlink(tmp_path / "secret.ts", root / "src" / "net.ts")
    original = locate(mapper(root / "dist", root), "/app.js", 1, FETCH)
    assert original.path is None and original.index is None


def test_remote_sources_and_maps_are_not_fetched(tmp_path):
    root = repo(tmp_path, {"dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["https://example.com/src/net.ts"]), "dist/b.js": BUILT + "//# sourceMappingURL=https://example.com/b.js.map\n"})
    m = mapper(root / "dist", root)
    original = locate(m, "/app.js", 1, FETCH)
    assert (original.path, original.source) == (None, "https://example.com/src/net.ts")
    assert "remote" in original.note
    assert locate(m, "/b.js", 1, FETCH) is None
    assert any("remote and was not fetched" in n for n in m.notes)


def test_a_map_outside_the_build_folder_is_not_read(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT + "//# sourceMappingURL=../elsewhere/app.js.map\n", "elsewhere/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    assert locate(mapper(root / "dist", root), "/app.js", 1, FETCH) is None


@pytest.mark.parametrize(
    "map_text",
    ["{not json", json.dumps({"version": 3, "sources": ["../src/net.ts"], "mappings": "AAAA,%%%%"}), json.dumps({"version": 3, "sections": [{"offset": {"line": 0, "column": 0}}]}), "[1,2]"],
)
def test_bad_maps_become_notes(tmp_path, map_text):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": map_text})
    m = mapper(root / "dist", root)
    assert locate(m, "/app.js", 1, FETCH) is None
    assert m.notes and "findings stay in the built file" in m.notes[0]


def test_an_oversized_map_is_not_read(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    m = mapper(root / "dist", root, max_map_bytes=50)
    assert locate(m, "/app.js", 1, FETCH) is None
    assert any("limit" in n for n in m.notes)


def test_a_map_is_read_only_when_a_finding_lands_in_its_file(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": "{broken", "dist/other.js": BUILT, "dist/other.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    m = mapper(root / "dist", root)
    assert locate(m, "/other.js", 1, FETCH).path == "src/net.ts"
    assert m.notes == []  # app.js.map was never opened


def test_index_map_on_disk(tmp_path):
    first = source_map([[(0, 0, 0, 0)]], ["../src/a.ts"])
    second = source_map(SEGMENTS, ["../src/net.ts"])
    index = {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": first}, {"offset": {"line": 1, "column": 0}, "map": second}]}
    root = repo(tmp_path, {"src/a.ts": "a\n", "src/net.ts": NET_TS, "dist/app.js": "a;\n" + BUILT, "dist/app.js.map": index})
    original = locate(mapper(root / "dist", root), "/app.js", 2, FETCH)
    assert (original.path, original.span.start_line, original.span.start_column) == ("src/net.ts", 3, 10)


def bundle_of(files: dict) -> bytes:
    return sign(build_wbn(files, primary_url=None), [ed25519_key(3)])


def test_swbn_resource_maps_through_the_identical_build_folder_file(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT + "//# sourceMappingURL=app.js.map\n", "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    swbn = tmp_path / "app.swbn"
    swbn.write_bytes(bundle_of({"app.js": BUILT + "//# sourceMappingURL=app.js.map\n"}))
    original = locate(mapper(swbn, root, source_root=root / "dist"), "/app.js", 1, FETCH)
    assert original.path == "src/net.ts"
    assert locate(mapper(swbn, root), "/app.js", 1, FETCH) is None  # no map in the bundle, no build folder


def test_swbn_resource_that_differs_from_the_build_folder_is_not_mapped_through_it(tmp_path):
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT.replace("s(n)", "t(n)"), "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    swbn = tmp_path / "app.swbn"
    swbn.write_bytes(bundle_of({"app.js": BUILT}))
    m = mapper(swbn, root, source_root=root / "dist")
    assert locate(m, "/app.js", 1, FETCH) is None
    assert any("differs from the bundle's copy" in n for n in m.notes)


def test_map_inside_the_bundle_uses_sources_content(tmp_path):
    root = repo(tmp_path, {})
    swbn = tmp_path / "app.swbn"
    swbn.write_bytes(bundle_of({"assets/app.js": BUILT + "//# sourceMappingURL=app.js.map\n", "assets/app.js.map": source_map(SEGMENTS, ["../src/net.ts"], contents=[NET_TS])}))
    original = locate(mapper(swbn, root), "/assets/app.js", 1, FETCH)
    assert (original.source, original.path, original.span.start_line) == ("/src/net.ts", None, 3)
    assert original.line_text.startswith("  return fetch(")


HTML_SRC = '<!doctype html>\n<title>app</title>\n<script type="module" src="/src/main.ts"></script>\n<script>\n  window.remote = "https://cdn.example.com/x.js";\n</script>\n'
HTML_BUILT = '<!doctype html>\n<title>app</title>\n<script type="module" crossorigin src="/assets/index-3f9a1c.js"></script>\n<link rel="stylesheet" href="/assets/index.css">\n<script>\n  window.remote = "https://cdn.example.com/x.js";\n</script>\n'


def test_inline_script_maps_to_the_html_the_build_copied(tmp_path):
    root = repo(tmp_path, {"index.html": HTML_SRC, "dist/index.html": HTML_BUILT})
    original = locate(mapper(root / "dist", root), "/index.html", 6, 19)
    assert (original.path, original.span.start_line, original.span.start_column) == ("index.html", 5, 19)


def test_html_lines_not_in_the_source_stay_built(tmp_path):
    root = repo(tmp_path, {"index.html": HTML_SRC, "dist/index.html": HTML_BUILT})
    assert locate(mapper(root / "dist", root), "/index.html", 3, 1) is None


def test_swbn_html_maps_to_the_build_folder_copy(tmp_path):
    root = repo(tmp_path, {"dist/index.html": HTML_BUILT})
    swbn = tmp_path / "app.swbn"
    swbn.write_bytes(bundle_of({"": HTML_BUILT}))
    original = locate(mapper(swbn, root, source_root=root / "dist"), "/", 6, 19)
    assert (original.path, original.span.start_line) == ("dist/index.html", 6)


def shared_mapper(input_path: Path, root: Path) -> tuple[Mapper, Context]:
    bundle = open_input(input_path)
    ctx = Context(AuditSession(bundle))
    return Mapper(bundle, root=root, text_of=ctx.text, index_of=ctx.text_index, json_of=ctx.json_value), ctx


def test_a_map_the_audit_parsed_already_is_not_parsed_again(tmp_path, monkeypatch):
    # a rule (OTA011) parsed the folder's map through the context: the mapping takes that JSON
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT + "//# sourceMappingURL=app.js.map\n", "dist/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    m, ctx = shared_mapper(root / "dist", root)
    assert isinstance(ctx.json_value(ctx.bundle.resources["/app.js.map"]), dict)

    def parse_again(*args, **kwargs):
        raise AssertionError("the map was parsed a second time")

    monkeypatch.setattr("auditor.engine.mapping.parse_map", parse_again)
    assert locate(m, "/app.js", 1, FETCH).span.start_line == 3


def test_a_map_the_shared_json_cannot_read_is_parsed_from_its_bytes(tmp_path):
    # the anti-XSSI first line is not JSON for the context; the map parser skips it
    text = ")]}'\n" + json.dumps(source_map(SEGMENTS, ["../src/net.ts"]))
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "dist/app.js.map": text})
    m, ctx = shared_mapper(root / "dist", root)
    assert ctx.json_value(ctx.bundle.resources["/app.js.map"]) is None
    assert locate(m, "/app.js", 1, FETCH).span.start_line == 3


def test_a_map_outside_the_input_folder_is_read_from_disk(tmp_path):
    # --source-maps DIR: no resource of the input holds the file, so it is read and parsed
    root = repo(tmp_path, {"src/net.ts": NET_TS, "dist/app.js": BUILT, "maps/app.js.map": source_map(SEGMENTS, ["../src/net.ts"])})
    bundle = open_input(root / "dist")
    ctx = Context(AuditSession(bundle))
    m = Mapper(bundle, root=root, text_of=ctx.text, index_of=ctx.text_index, json_of=ctx.json_value, maps_dir=root / "maps")
    assert locate(m, "/app.js", 1, FETCH).path == "src/net.ts"
