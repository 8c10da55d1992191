"""UPD rules: update manifests (and `update_manifest_url`) built to break one thing, and their neighbours."""

from __future__ import annotations

import json

from helpers import audit_lines, position
from test_manifest import GOOD, manifest_app, q

SRC = "https://updates.example.com/app-1.0.0.swbn"


def update_doc(tmp_path, value) -> tuple:
    text = value if isinstance(value, str) else json.dumps(value, indent=1)
    path = tmp_path / "update.json"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_good_update_manifest_is_clean(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC}], "channels": {"default": {"name": "Stable"}}})
    assert audit_lines(path) == []


def test_upd001_flags_http_update_manifest_url(app):
    path, text = manifest_app(app, {**GOOD, "update_manifest_url": "http://updates.example.com/u.json"})
    assert audit_lines(path, "UPD001") == [
        f"UPD001 warning /.well-known/manifest.webmanifest:{position(text, q('http://updates.example.com/u.json'))} "
        "`update_manifest_url` \"http://updates.example.com/u.json\" is not an absolute https URL"
    ]


def test_upd001_notes_localhost(app):
    path, _ = manifest_app(app, {**GOOD, "update_manifest_url": "http://localhost:8080/u.json"})
    assert [ln.split(" ")[:2] for ln in audit_lines(path, "UPD001")] == [["UPD001", "note"]]


def test_upd001_allows_https(app):
    path, _ = manifest_app(app, {**GOOD, "update_manifest_url": "https://updates.example.com/u.json"})
    assert audit_lines(path, "UPD001") == []


def test_upd002_flags_non_object_entry_and_bad_channel_map(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC}, "1.1.0"], "channels": {"beta": []}})
    assert audit_lines(path, "UPD002") == [
        f"UPD002 error <input>:{position(text, q('1.1.0'))} `versions[1]` must be an object; Chrome rejects the whole update manifest",
        f"UPD002 error <input>:{position(text, '[]')} channel `beta` must be an object; Chrome rejects the whole update manifest",
    ]


def test_upd002_flags_versions_not_an_array(tmp_path):
    path, text = update_doc(tmp_path, {"versions": {"1.0.0": SRC}})
    assert audit_lines(path, "UPD002") == [f"UPD002 error <input>:{position(text, '{', 2)} `versions` must be an array; Chrome rejects the whole update manifest"]


def test_upd002_allows_channel_map_with_names(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [], "channels": {"default": {}, "beta": {"name": "Beta"}}})
    assert audit_lines(path, "UPD002") == []


def test_upd003_flags_bad_and_missing_versions(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "01.0", "src": SRC}, {"src": SRC}]})
    assert audit_lines(path, "UPD003") == [
        f"UPD003 error <input>:{position(text, q('01.0'))} `versions[0]` `version` component 1 `01` has a leading zero; Chrome skips this entry",
        f"UPD003 error <input>:{position(text, '{', 3)} `versions[1]` has no `version`; Chrome skips this entry",
    ]


def test_upd003_allows_four_part_version(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.2.3.4", "src": SRC}]})
    assert audit_lines(path, "UPD003") == []


def test_upd004_flags_http_src_and_missing_src(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": "http://cdn.example.com/a.swbn"}, {"version": "1.1.0"}]})
    assert audit_lines(path, "UPD004") == [
        f"UPD004 error <input>:{position(text, q('http://cdn.example.com/a.swbn'))} `src` \"http://cdn.example.com/a.swbn\" is not https; Chrome skips this entry",
        f"UPD004 error <input>:{position(text, '{', 3)} `versions[1]` has no `src`; Chrome skips this entry",
    ]


def test_upd004_flags_relative_src_resolved_to_http_update_url(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": "a.swbn"}, {"version": "1.1.0", "src": "u.json"}]})
    lines = audit_lines(path, "UPD004", settings={"update_url": "http://example.com/u.json"})
    assert lines == [
        f"UPD004 error <input>:{position(text, q('a.swbn'))} `src` \"a.swbn\" is not https; Chrome skips this entry",
        f"UPD004 error <input>:{position(text, q('u.json'))} `src` \"u.json\" is the update manifest itself",
    ]


def test_upd004_allows_relative_src_against_https_and_notes_localhost(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": "a.swbn"}, {"version": "1.1.0", "src": "http://127.0.0.1:8000/b.swbn"}]})
    lines = audit_lines(path, "UPD004", settings={"update_url": "https://example.com/u.json"})
    assert [ln.split(" ")[:2] for ln in lines] == [["UPD004", "note"]]


def test_upd005_flags_string_channels_and_notes_empty(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC, "channels": "beta"}, {"version": "1.1.0", "src": SRC, "channels": []}]})
    assert audit_lines(path, "UPD005") == [
        f"UPD005 error <input>:{position(text, q('beta'))} `versions[0].channels` must be an array of non-empty strings; Chrome skips this entry",
        f"UPD005 note <input>:{position(text, '[]')} `versions[1].channels` is empty: this version is never chosen",
    ]


def test_upd005_allows_channel_list(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC, "channels": ["default", "beta"]}]})
    assert audit_lines(path, "UPD005") == []


def test_upd006_flags_versions_equal_after_normalisation(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0", "src": SRC}, {"version": "1.0.0", "src": SRC}]})
    assert audit_lines(path, "UPD006") == [
        f"UPD006 error <input>:{position(text, q('1.0.0'))} version `1.0.0` repeats `1.0` of `versions[0]`; Chrome keeps only this later entry"
    ]


def test_upd006_allows_distinct_versions(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0", "src": SRC}, {"version": "1.0.1", "src": SRC}]})
    assert audit_lines(path, "UPD006") == []


def test_upd007_flags_nothing_on_default(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC, "channels": ["beta"]}, {"version": "x", "src": SRC}]})
    assert audit_lines(path, "UPD007") == [f"UPD007 error <input>:{position(text, '[')} no usable version is on the `default` channel (1 usable entries in all)"]


def test_upd007_allows_entry_without_channels(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC}, {"version": "2.0.0", "src": SRC, "channels": ["beta"]}]})
    assert audit_lines(path, "UPD007") == []


def test_upd008_flags_unknown_members(tmp_path):
    path, text = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC, "sha256": "ab"}], "integrity": True})
    assert audit_lines(path, "UPD008") == [
        f"UPD008 note <input>:{position(text, q('sha256'))} Chrome ignores `sha256` in `versions[0]`",
        f"UPD008 note <input>:{position(text, q('integrity'))} Chrome ignores the top-level member `integrity`",
    ]


def test_upd008_allows_known_members(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC, "channels": ["default"]}], "channels": {}})
    assert audit_lines(path, "UPD008") == []


def test_upd009_flags_a_duplicate_key_at_its_last_occurrence(tmp_path):
    path = tmp_path / "update.json"
    text = '{"versions": [{"version": "1.0.0", "src": "https://a.example/a.swbn", "src": "https://b.example/b.swbn"}]}'
    path.write_text(text, encoding="utf-8")
    assert audit_lines(path, "UPD009") == [
        f"UPD009 warning <input>:{position(text, q('src'), 2)} key `/versions/0/src` appears more than once; Chrome keeps the last",
    ]


def test_upd009_allows_the_same_key_in_different_objects(tmp_path):
    path, _ = update_doc(tmp_path, {"versions": [{"version": "1.0.0", "src": SRC}, {"version": "1.1.0", "src": SRC}]})
    assert audit_lines(path, "UPD009") == []
