"""Alias keys: index keys Chrome canonicalises to one URL. Chrome serves the first in index order;
BND005 reports every group, and every rule reads the copy Chrome serves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import alias_spellings, build_wbn, ed25519_key, index_order, sign, simple_app, web_bundle_id
from helpers import audit_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.chrome.manifest import load_manifest, member_target
from auditor.chrome.urls import exchange_url
from auditor.cli import main
from auditor.engine.context import AuditSession, Context
from auditor.readers import open_input

KEY = ed25519_key(1)
APP = web_bundle_id(KEY)
MANIFEST = ".well-known/manifest.webmanifest"
CLASSES = sorted(set(alias_spellings(MANIFEST, APP)) - {"plain"})

# For each alias class, a spelling that looks alike but is another URL (or not on the origin).
NEAR_MISSES = {
    "absolute-path": "/.well-known//manifest.webmanifest",
    "dot-segment": "./.well-known/manifest.webmanifest/",
    "percent-dot": "%2e%2e%2e/.well-known/manifest.webmanifest",
    "percent-dot-dot": ".well-known%2Fmanifest.webmanifest",
    "above-root": "..a/.well-known/manifest.webmanifest",
    "backslash": "%5C.well-known%5Cmanifest.webmanifest",
    "absolute": f"isolated-app://{web_bundle_id(ed25519_key(2))}/{MANIFEST}",
    "upper-case": "/.WELL-KNOWN/manifest.webmanifest",
    "fullwidth-host": f"isolated-app://{APP}./{MANIFEST}",
    "percent-host": f"isolated-app://{APP}%2e/{MANIFEST}",
    "user-info": f"isolated-app://{APP}@example.com/{MANIFEST}",
    "port": f"isolated-app://{APP}:443/{MANIFEST}?",
    "port-out-of-range": f"isolated-app://{APP}:99999/{MANIFEST}#",
    "relative-scheme": f"isolated-app2:{MANIFEST}",
    "network-path": f"///{MANIFEST}",
    "trailing-space": MANIFEST + "%20",
    "tab": MANIFEST + "%09",
}


def manifest(version: str) -> dict:
    return {"name": "App", "id": "/", "scope": "/", "start_url": "/", "version": version}


def signed(tmp_path: Path, files: dict) -> tuple[Path, bytes]:
    data = sign(build_wbn(files), [KEY])
    path = tmp_path / "app.swbn"
    path.write_bytes(data)
    return path, data


def key_offset(data: bytes, key: str) -> int:
    """Where the key's CBOR text string starts in the file (the index is the first place it appears)."""
    import cbor2

    return data.index(cbor2.dumps(key))


def context(path: Path) -> Context:
    return Context(AuditSession(open_input(path)))


def test_near_misses_cover_every_class():
    assert set(NEAR_MISSES) == set(CLASSES)


@pytest.mark.parametrize("klass", CLASSES)
def test_bnd005_flags_a_manifest_alias_and_names_the_copy_chrome_installs(tmp_path, klass):
    alias = alias_spellings(MANIFEST, APP)[klass]
    files = simple_app(manifest("1.0.0"))
    files[alias] = manifest("6.6.6")
    path, data = signed(tmp_path, files)
    first, second = index_order([MANIFEST, alias])
    bundle = open_input(path)
    first_entry = next(e for e in bundle.index if e.raw_url == first)
    assert audit_lines(path, "BND005") == [
        f"BND005 error /.well-known/manifest.webmanifest@{key_offset(data, first)} 2 index keys name the manifest `/.well-known/manifest.webmanifest`: "
        f"`{first}` (key @{key_offset(data, first)}), `{second}` (key @{key_offset(data, second)}); "
        f"Chrome installs the first, `{first}` (response @{first_entry.offset}), and never serves the others"
    ]
    installed = "1.0.0" if first == MANIFEST else "6.6.6"
    assert load_manifest(context(path)).data["version"] == installed  # every rule reads Chrome's copy


@pytest.mark.parametrize("klass", CLASSES)
def test_bnd005_allows_a_near_miss(tmp_path, klass):
    files = simple_app(manifest("1.0.0"))
    files[NEAR_MISSES[klass]] = manifest("6.6.6")
    path, _ = signed(tmp_path, files)
    assert audit_lines(path, "BND005") == []
    assert load_manifest(context(path)).data["version"] == "1.0.0"


def test_bnd005_a_page_or_a_script_group_is_an_error_other_groups_a_warning(tmp_path):
    files = simple_app(**{"\\": "<p>evil</p>", "isolated-app:app.js": "evil()", "logo.png": b"\x89PNG", "%2e/logo.png": b"\x89PNG2"})
    path, _ = signed(tmp_path, files)
    lines = audit_lines(path, "BND005")
    assert [line.split(" ")[:2] for line in lines] == [["BND005", "error"], ["BND005", "error"], ["BND005", "warning"]]
    assert [line.split(" ")[2].split("@")[0] for line in lines] == ["/", "/app.js", "/logo.png"]
    assert "name a page `/`" in lines[0] and "name a script `/app.js`" in lines[1] and "name `/logo.png`" in lines[2]


def test_bnd005_reports_every_key_of_a_group_of_three(tmp_path):
    spellings = alias_spellings("app.js", APP)
    files = simple_app(**{spellings["backslash"]: "a()", spellings["port"]: "b()"})
    path, data = signed(tmp_path, files)
    [line] = audit_lines(path, "BND005")
    for key in ("app.js", spellings["backslash"], spellings["port"]):
        assert f"`{key}` (key @{key_offset(data, key)})" in line
    assert line.startswith("BND005 error /app.js@") and "3 index keys name a script `/app.js`" in line


def test_every_lookup_reads_the_served_copy(tmp_path):
    icon = "icons/a.png"
    files = simple_app({**manifest("1.0.0"), "icons": [{"src": "/icons/a.png", "sizes": "1x1"}]})
    files["icons\\a.png"] = b"first"
    files["isolated-app:icons/a.png"] = b"second"
    path, _ = signed(tmp_path, files)
    ctx = context(path)
    first = index_order([icon + "x", "icons\\a.png", "isolated-app:icons/a.png"])[0]
    assert first == "icons\\a.png"
    url, resource = member_target(ctx, "../icons/a.png")  # relative to the manifest, with a dot segment
    assert url.path == "/icons/a.png" and resource.body.read() == b"first"
    assert ctx.resource("/%2e/icons%5Ca.png") is None  # an encoded backslash is no separator
    assert ctx.resource("\\icons\\a.png").body.read() == b"first"
    assert [r.path for r in ctx.resources()].count("/icons/a.png") == 1


def test_inspect_reports_the_installed_manifest_version(tmp_path, capsys):
    files = simple_app(manifest("1.0.0"))
    files["%2e/" + MANIFEST] = manifest("9.9.9")
    path, _ = signed(tmp_path, files)
    main(["inspect", str(path), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert out["manifest_version"] == "1.0.0"  # `.well-known/…` is shorter, so first in the canonical index
    files = simple_app(manifest("1.0.0"))
    files["isolated-app:" + MANIFEST] = manifest("0.0.1")  # longer than the plain key: indexed after it
    files[MANIFEST.replace("/", "\\")] = manifest("9.9.9")  # as long as the plain key; `\\` sorts after `/`
    path, _ = signed(tmp_path, files)
    main(["inspect", str(path), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["manifest_version"] == "1.0.0"
    files.pop(MANIFEST)
    path, _ = signed(tmp_path, files)
    main(["inspect", str(path), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["manifest_version"] == "9.9.9"  # now the backslash copy is first


def test_port_out_of_range_and_user_info_keys_are_no_error(tmp_path):
    files = {alias_spellings(k, APP)["port-out-of-range" if i % 2 else "user-info"]: v for i, (k, v) in enumerate(simple_app().items()) if k}
    files[""] = simple_app()[""]
    path, _ = signed(tmp_path, files)
    assert [line for line in audit_lines(path, "BND") if not line.startswith("BND009")] == []
    assert load_manifest(context(path)).data["version"] == "1.0.0"


def test_bnd004_flags_a_key_chrome_refuses(tmp_path):
    bad, empty_host = "bad\ufdd0.js", "isolated-app://:1/x.js"
    path, data = signed(tmp_path, simple_app(**{empty_host: "x", bad: "y"}))
    assert audit_lines(path, "BND004") == [
        f"BND004 error <input>@{key_offset(data, bad)} index key `{bad}` holds a Unicode noncharacter (Chrome requires base::IsStringUTF8); Chrome refuses the bundle",
        f"BND004 error <input>@{key_offset(data, empty_host)} index key `{empty_host}` is not a valid URL once resolved against the app origin; Chrome refuses the bundle",
    ]


def test_bnd004_flags_empty_query_and_fragment_and_allows_plain_keys(tmp_path):
    path, data = signed(tmp_path, simple_app(**{"a.js?": "x", "b.js#": "y"}))
    assert audit_lines(path, "BND004") == [
        f"BND004 error /a.js?@{key_offset(data, 'a.js?')} bundle URL `a.js?` has a query; Chrome rejects such IWA entries",
        f"BND004 error /b.js#@{key_offset(data, 'b.js#')} bundle URL `b.js#` has a fragment; Chrome rejects such IWA entries",
    ]
    path, _ = signed(tmp_path, simple_app(**{"a.js": "x"}))
    assert audit_lines(path, "BND004") == []


# --- property: whatever the spellings, every lookup names the canonicaliser's first-wins choice ---

PATHS = ("a.js", "index.html", "img/x.png", "d/e/f.css", MANIFEST)
SPELLINGS = sorted(alias_spellings("a", APP))


@st.composite
def aliased_bundles(draw):
    files: dict[str, bytes] = {}
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=5, unique=True)):
        for klass in draw(st.lists(st.sampled_from(SPELLINGS), min_size=1, max_size=4, unique=True)):
            key = alias_spellings(path, APP)[klass]
            files[key] = b"%s by %s" % (path.encode(), klass.encode())
    return files


def expected_served(keys) -> dict[str, str]:
    """canonical path -> the key Chrome serves: the first in canonical index order."""
    chosen: dict[str, str] = {}
    for key in index_order(keys):
        url = exchange_url(key, APP)
        assert not isinstance(url, str)
        if url.key not in chosen:
            chosen[url.key] = key
    return chosen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=aliased_bundles())
def test_every_rule_reads_the_first_wins_choice(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("prop")
    path, _ = signed(folder, files)
    ctx = context(path)
    chosen = expected_served(files)
    assert {r.path: r.body.read() for r in ctx.resources()} == {path_: files[key] for path_, key in chosen.items()}
    for canonical, key in chosen.items():
        for spelling in alias_spellings(canonical.lstrip("/"), APP).values():
            assert ctx.resource(spelling).body.read() == files[key]
    groups = [line for line in audit_lines(path, "BND005")]
    assert len(groups) == sum(1 for c in chosen if sum(1 for k in files if exchange_url(k, APP).key == c) > 1)
