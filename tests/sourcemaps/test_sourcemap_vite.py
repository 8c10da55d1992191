"""A Vite-built TypeScript app (`build.sourcemap: true`, hashed asset names) audited from its `dist/` and from
its `.swbn` with `--source-root dist`: findings land in `src/` in text, JSON and SARIF, and the mapped SARIF
passes Microsoft's validator with the GitHub rule set.

Vite (pinned; 7.x runs on Node ^20.19 or >= 22.12) is installed from npm into a temporary folder once per
session. The tests skip only when npm or a Node that Vite supports is absent, or the registry is unreachable;
any other install or build failure is a failure.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from builders import build_wbn, ed25519_key, sign
from helpers import audit, write_tree
from sarif_multitool import github_rule_results, multitool
from test_sourcemap_esbuild import DEVICE_TS, FETCH, LINKS_TS, MAIN_TS, MANIFEST, NET_TS, NOTES, OWN_ID, SERIAL, found, original

from auditor.cli import main

VITE_VERSION = "7.3.8"
OFFLINE = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network", re.IGNORECASE)
INDEX_HTML = '<!doctype html>\n<html><head><title>App</title>\n<script type="module" src="/src/main.ts"></script></head>\n<body><button id="go">Go</button></body></html>\n'
VITE_CONFIG = 'export default { build: { sourcemap: true }, logLevel: "error" };\n'

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: these tests build the app with Vite from npm")


@pytest.fixture(scope="session")
def vite(tmp_path_factory) -> Path:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip() if shutil.which("node") else ""
    version = tuple(int(n) for n in re.findall(r"\d+", node)[:2]) or (0, 0)
    if not ((20, 19) <= version < (21, 0) or version >= (22, 12)):
        pytest.skip(f"Vite {VITE_VERSION} needs Node ^20.19 or >= 22.12; this machine has {node or 'no node'}")
    folder = tmp_path_factory.mktemp("vite")
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder), f"vite@{VITE_VERSION}"], capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0 and OFFLINE.search(done.stderr):
        pytest.skip(f"the npm registry is unreachable: {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr[-800:]
    return folder / "node_modules" / ".bin" / "vite"


@pytest.fixture(scope="module")
def app(vite, tmp_path_factory) -> Path:
    """The repository after `vite build`: src/, index.html and public/ at its root, dist/ built from them."""
    root = tmp_path_factory.mktemp("vite-app") / "repo"
    (root / ".git").mkdir(parents=True)
    write_tree(root, {
        "src/net.ts": NET_TS, "src/device.ts": DEVICE_TS, "src/links.ts": LINKS_TS, "src/main.ts": MAIN_TS,
        "index.html": INDEX_HTML, "vite.config.mjs": VITE_CONFIG, "public/.well-known/manifest.webmanifest": MANIFEST,
    })
    subprocess.run([str(vite), "build"], check=True, capture_output=True, cwd=root, timeout=300)
    return root


def bundle_name(root: Path) -> str:
    """The hashed name Vite gave the entry chunk, e.g. `index-DV84PdFx.js`."""
    names = [p.name for p in (root / "dist" / "assets").glob("index-*.js")]
    assert len(names) == 1 and re.fullmatch(r"index-[\w-]{8}\.js", names[0]), names
    return names[0]


@pytest.fixture(scope="module")
def swbn(app, tmp_path_factory) -> Path:
    """The same dist/ in a signed bundle, without its maps (they stay in the build folder)."""
    dist = app / "dist"
    files = {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file() and not p.name.endswith(".map")}
    files[""] = files.pop("index.html")
    path = tmp_path_factory.mktemp("vite-swbn") / "app.swbn"
    path.write_bytes(sign(build_wbn(files), [ed25519_key(21)]))
    return path


def test_vite_build_findings_land_in_src(app):
    name = bundle_name(app)
    assert (app / "dist" / "assets" / f"{name}.map").is_file()
    assert f'src="/assets/{name}"' in (app / "dist" / "index.html").read_text()
    report = audit(app / "dist", "SCR010,PRM011,LNK007", settings={"expect_id": OWN_ID})
    scr = found(report, "SCR010")
    assert original(scr, app) == FETCH
    assert scr.built.resource == f"/assets/{name}"
    assert scr.snippet == '  const response = await fetch("http://api.example.com/v1/" + path);'
    assert original(found(report, "PRM011"), app) == SERIAL
    assert original(found(report, "LNK007"), app) == NOTES


def test_vite_build_without_its_maps_stays_in_dist(app, tmp_path):
    dist = shutil.copytree(app / "dist", tmp_path / "repo" / "dist", ignore=shutil.ignore_patterns("*.map"))
    (tmp_path / "repo" / ".git").mkdir()
    scr = found(audit(dist, "SCR010"), "SCR010")
    assert (scr.location.resource, scr.location.file, scr.built) == (f"/assets/{bundle_name(app)}", None, None)


def test_vite_dist_text_json_and_sarif_name_src_and_the_built_place(app, monkeypatch, capsys):
    name = bundle_name(app)
    monkeypatch.chdir(app)
    built = found(audit(app / "dist", "SCR010"), "SCR010").built.span
    assert main(["dist", "--select", "SCR010"]) == 1
    assert f"src/net.ts:{FETCH[1]}:{FETCH[2]} (built: dist/assets/{name}:{built.start_line}:{built.start_column}): error[SCR010]" in capsys.readouterr().out
    main(["dist", "--select", "SCR010", "--format", "json"])
    item = json.loads(capsys.readouterr().out)["findings"][0]
    assert (item["path"], item["line"], item["column"]) == FETCH
    assert (item["built"]["path"], item["built"]["line"], item["built"]["column"]) == (f"dist/assets/{name}", built.start_line, built.start_column)
    main(["dist", "--select", "SCR010", "--format", "sarif"])
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "src/net.ts", "uriBaseId": "%SRCROOT%"}
    assert (physical["region"]["startLine"], physical["region"]["startColumn"]) == FETCH[1:]
    related = result["relatedLocations"][0]["physicalLocation"]
    assert (related["artifactLocation"]["uri"], related["region"]["startLine"], related["region"]["startColumn"]) == (f"dist/assets/{name}", built.start_line, built.start_column)


def test_vite_swbn_with_source_root_dist_reports_in_src(app, swbn, monkeypatch, capsys):
    name = bundle_name(app)
    report = audit(swbn, "SCR010,PRM011,LNK007", settings={"source_root": app / "dist", "expect_id": OWN_ID})
    assert original(found(report, "SCR010"), app) == FETCH
    assert original(found(report, "PRM011"), app) == SERIAL
    assert original(found(report, "LNK007"), app) == NOTES
    assert found(audit(swbn, "SCR010"), "SCR010").location.file is None  # no build folder: the bundle carries no map
    monkeypatch.chdir(app)
    main([str(swbn), "--select", "SCR010", "--source-root", "dist"])
    assert f"src/net.ts:{FETCH[1]}:{FETCH[2]} (built: " in capsys.readouterr().out
    main([str(swbn), "--select", "SCR010", "--source-root", "dist", "--format", "json"])
    item = json.loads(capsys.readouterr().out)["findings"][0]
    assert (item["path"], item["line"], item["column"]) == FETCH
    assert (item["built"]["path"], item["built"]["line"]) == (f"dist/assets/{name}", 1)  # the build folder's copy of the bundle's resource
    main([str(swbn), "--select", "SCR010", "--source-root", "dist", "--format", "sarif"])
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert (physical["artifactLocation"]["uri"], physical["region"]["startLine"], physical["region"]["startColumn"]) == FETCH


def test_mapped_sarif_passes_microsoft_validator_with_the_github_rules(app, swbn, tmp_path, monkeypatch, capsys):
    multitool()  # skips without npm, before any log is written
    monkeypatch.chdir(app)
    logs = []
    for kind, args in {"dist": ["dist"], "swbn": [str(swbn), "--source-root", "dist"]}.items():
        main([*args, "--format", "sarif"])
        log = json.loads(capsys.readouterr().out)
        assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("src/") for r in log["runs"][0]["results"]), kind
        target = tmp_path / f"{kind}.sarif"
        target.write_text(json.dumps(log), encoding="utf-8")
        logs.append(target)
    assert github_rule_results(logs, tmp_path, levels=("error", "warning")) == []
