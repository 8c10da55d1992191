"""Findings of an esbuild-built TypeScript app reported in its `src/`: external, inline and content-less maps,
a rebuild that renames the bundle, suppressions in the source, a .swbn with --source-root, and an OTA zip.

esbuild (pinned) is installed from npm into a temporary folder once per session;
the tests skip only when `npm` is absent (an install failure is a failure).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from builders import build_wbn, ed25519_key, sign, web_bundle_id
from helpers import SARIF_SCHEMA, audit, write_tree
from zipcraft import write_zip

from auditor.cli import main

ESBUILD_VERSION = "0.28.2"
OWN_ID = web_bundle_id(ed25519_key(21))
OTHER_ID = web_bundle_id(ed25519_key(22))

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: these tests build the app with esbuild from npm")

NET_TS = """// Talks to the legacy API.
export async function load(path: string): Promise<string> {
  const response = await fetch("http://api.example.com/v1/" + path);
  return response.text();
}
"""
DEVICE_TS = """export async function connect(): Promise<unknown> {
  const serial = (navigator as any).serial;
  return serial.requestPort();
}
"""
LINKS_TS = f"""export function openNotes(): void {{
  window.open("isolated-app://{OTHER_ID}/");
}}
"""
MAIN_TS = """import { load } from "./net";
import { connect } from "./device";
import { openNotes } from "./links";

document.querySelector("#go")?.addEventListener("click", async () => {
  await connect();
  openNotes();
  document.body.textContent = await load("status");
});
"""
INDEX_HTML = '<!doctype html>\n<html><head><title>App</title>\n<script type="module" src="/assets/{name}"></script></head>\n<body><button id="go">Go</button></body></html>\n'
MANIFEST = {"name": "App", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", "display": "standalone", "icons": [{"src": "/icon.png", "sizes": "256x256", "type": "image/png"}]}


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first `needle` in `text`."""
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


@pytest.fixture(scope="session")
def sarif_validator():
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def esbuild(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("esbuild")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder), f"esbuild@{ESBUILD_VERSION}"], check=True, capture_output=True, timeout=300)
    return folder / "node_modules" / ".bin" / "esbuild"


def project(root: Path, **extra: str) -> Path:
    """A repository with the app's sources (no build yet); `.git` marks the work tree."""
    (root / ".git").mkdir(parents=True)
    write_tree(root, {"src/net.ts": NET_TS, "src/device.ts": DEVICE_TS, "src/links.ts": LINKS_TS, "src/main.ts": MAIN_TS, **extra})
    return root


def build(esbuild: Path, root: Path, name: str = "index-3f9a1c.js", *flags: str) -> Path:
    """Bundle and minify src/main.ts into dist/assets/<name>, with the page and manifest around it."""
    dist = root / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    subprocess.run([str(esbuild), "src/main.ts", "--bundle", "--minify", "--format=esm", f"--outfile=dist/assets/{name}", *flags], check=True, capture_output=True, cwd=root, timeout=120)
    write_tree(dist, {"index.html": INDEX_HTML.format(name=name), ".well-known/manifest.webmanifest": MANIFEST})
    return dist


def found(report, rule_id: str):
    hits = [f for f in report.findings if f.rule_id == rule_id]
    assert len(hits) == 1, [(f.rule_id, f.location) for f in report.findings]
    return hits[0]


def original(finding, root: Path) -> tuple[str, int, int]:
    assert finding.location.file is not None, (finding.location, finding.properties)
    return Path(finding.location.file).relative_to(root.resolve()).as_posix(), finding.location.span.start_line, finding.location.span.start_column


FETCH = ("src/net.ts", *position(NET_TS, 'fetch("http'))
SERIAL = ("src/device.ts", *position(DEVICE_TS, "navigator"))
NOTES = ("src/links.ts", *position(LINKS_TS, '"isolated-app://'))


@pytest.mark.parametrize("flags", [("--sourcemap",), ("--sourcemap=inline",), ("--sourcemap", "--sources-content=false"), ("--sourcemap=external",)], ids=["linked", "inline", "no-sources-content", "external-sibling"])
def test_every_rule_family_reports_in_the_typescript(esbuild, tmp_path, flags):
    root = project(tmp_path / "repo")
    dist = build(esbuild, root, "index-3f9a1c.js", *flags)
    report = audit(dist, "SCR010,PRM011,LNK007", settings={"expect_id": OWN_ID})
    scr = found(report, "SCR010")
    assert original(scr, root) == FETCH
    assert scr.built.resource == "/assets/index-3f9a1c.js" and scr.built.span.start_line == 1
    assert scr.snippet == '  const response = await fetch("http://api.example.com/v1/" + path);'
    assert original(found(report, "PRM011"), root) == SERIAL
    assert original(found(report, "LNK007"), root) == NOTES


def test_without_mapping_the_findings_stay_in_the_bundle(esbuild, tmp_path):
    root = project(tmp_path / "repo")
    dist = build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    scr = found(audit(dist, "SCR010", settings={"map_sources": False}), "SCR010")
    assert (scr.location.resource, scr.location.file, scr.built) == ("/assets/index-3f9a1c.js", None, None)


def test_sources_content_only_keeps_the_built_location_and_names_the_original(esbuild, tmp_path):
    root = project(tmp_path / "repo")
    dist = build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    (root / "src" / "net.ts").unlink()
    scr = found(audit(dist, "SCR010"), "SCR010")
    assert scr.location.resource == "/assets/index-3f9a1c.js" and scr.location.file is None
    props = dict(scr.properties)
    assert props["originalSource"] == "src/net.ts:{}:{}".format(*FETCH[1:])
    assert "not a file of the repository" in props["originalNote"]


def test_a_rebuild_with_a_new_hash_keeps_the_baseline(esbuild, tmp_path, monkeypatch, capsys):
    root = project(tmp_path / "repo")
    monkeypatch.chdir(root)
    build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    before = audit(root / "dist", "SCR010,PRM011")
    assert main(["dist", "--select", "SCR010,PRM011", "--write-baseline", "baseline.json"]) == 0
    build(esbuild, root, "index-77b2e0.js", "--sourcemap")
    after = audit(root / "dist", "SCR010,PRM011")
    assert sorted(f.fingerprint for f in before.findings) == sorted(f.fingerprint for f in after.findings)
    assert found(after, "SCR010").built.resource == "/assets/index-77b2e0.js"
    capsys.readouterr()
    assert main(["dist", "--select", "SCR010,PRM011", "--baseline", "baseline.json"]) == 0
    assert "no findings" in capsys.readouterr().out
    unmapped = [f.fingerprint for f in audit(root / "dist", "SCR010,PRM011", settings={"map_sources": False}).findings]
    assert not set(unmapped) & {f.fingerprint for f in before.findings}  # the built path would have resurfaced them


def test_a_suppression_comment_in_the_source_hides_the_mapped_finding(esbuild, tmp_path):
    suppressed = NET_TS.replace("  const response", "  // iwa-audit: ignore[SCR010] the legacy API has no TLS until 2027\n  const response")
    root = project(tmp_path / "repo", **{"src/net.ts": suppressed})
    dist = build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    assert "iwa-audit" not in (dist / "assets" / "index-3f9a1c.js").read_text()  # esbuild dropped the comment
    report = audit(dist, "SCR010")
    scr = found(report, "SCR010")
    assert scr.suppressed == "the legacy API has no TLS until 2027"
    assert [f.rule_id for f in report.active()] == []


def test_an_unused_suppression_in_the_source_is_reported(esbuild, tmp_path):
    stray = NET_TS.replace("export async", "// iwa-audit: ignore[SCR010] nothing here\nexport async")
    root = project(tmp_path / "repo", **{"src/net.ts": stray})
    dist = build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    report = audit(dist, "SCR010,AUD005")
    aud = found(report, "AUD005")
    assert original(aud, root)[:2] == ("src/net.ts", 2)


def test_cli_text_json_and_sarif_show_source_and_built(esbuild, tmp_path, monkeypatch, capsys, sarif_validator):
    root = project(tmp_path / "repo")
    monkeypatch.chdir(root)
    build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    built = found(audit(root / "dist", "SCR010"), "SCR010").built.span
    assert main(["dist", "--select", "SCR010"]) == 1
    text = capsys.readouterr().out
    assert f"src/net.ts:{FETCH[1]}:{FETCH[2]} (built: dist/assets/index-3f9a1c.js:1:{built.start_column}): error[SCR010]" in text
    assert 'const response = await fetch("http://api.example.com/v1/" + path);' in text
    main(["dist", "--select", "SCR010", "--format", "json"])
    item = json.loads(capsys.readouterr().out)["findings"][0]
    assert (item["path"], item["line"], item["column"]) == FETCH
    assert (item["built"]["path"], item["built"]["line"], item["built"]["column"]) == ("dist/assets/index-3f9a1c.js", 1, built.start_column)
    main(["dist", "--select", "SCR010", "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    sarif_validator.validate(log)
    result = log["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert (physical["artifactLocation"]["uri"], physical["region"]["startLine"], physical["region"]["startColumn"]) == FETCH
    related = result["relatedLocations"][0]["physicalLocation"]
    assert (related["artifactLocation"]["uri"], related["region"]["startColumn"]) == ("dist/assets/index-3f9a1c.js", built.start_column)


def test_swbn_maps_through_the_build_folder(esbuild, tmp_path, monkeypatch, capsys):
    root = project(tmp_path / "repo")
    dist = build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    files = {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file() and not p.name.endswith(".map")}
    files[""] = files.pop("index.html")
    key = ed25519_key(21)
    swbn = tmp_path / "app.swbn"
    swbn.write_bytes(sign(build_wbn(files), [key]))
    report = audit(swbn, "SCR010,PRM011,LNK007", settings={"source_root": dist})
    assert original(found(report, "SCR010"), root) == FETCH
    assert original(found(report, "PRM011"), root) == SERIAL
    assert original(found(report, "LNK007"), root) == NOTES
    bare = found(audit(swbn, "SCR010"), "SCR010")  # no build folder, no map in the bundle
    assert bare.location.file is None
    monkeypatch.chdir(root)
    main([str(swbn), "--select", "SCR010", "--source-root", "dist"])
    assert f"src/net.ts:{FETCH[1]}:{FETCH[2]} (built: dist/assets/index-3f9a1c.js:1:" in capsys.readouterr().out


def test_ota_zip_findings_map_through_the_build_folder(esbuild, tmp_path):
    keys_ts = 'export const KEY = "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg";\n'
    main_ts = MAIN_TS.replace('import { openNotes } from "./links";', 'import { openNotes } from "./links";\nimport { KEY } from "./keys";\nconsole.log(KEY);')
    root = project(tmp_path / "repo", **{"src/keys.ts": keys_ts, "src/main.ts": main_ts})
    dist = build(esbuild, root, "index-3f9a1c.js", "--sourcemap")
    members = {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file() and not p.name.endswith(".map")}
    bundle = write_zip(tmp_path / "update.zip", members)
    report = audit(bundle, "OTA010,SCR010", settings={"source_root": dist})
    assert original(found(report, "OTA010"), root) == ("src/keys.ts", *position(keys_ts, "-----BEGIN"))
    assert original(found(report, "SCR010"), root) == FETCH


@pytest.mark.parametrize("chunk_sizes", [(4096, 1 << 20, 8192, 0.8), (7, 64, 16, 1.5)])
def test_lookups_in_a_real_map_agree_with_the_straightforward_decode(esbuild, tmp_path, chunk_sizes, monkeypatch):
    """esbuild's own JavaScript API, bundled and minified (a real map: long lines, names, multi-digit values) at every 29th position."""
    from sourcemap_reference import fast, reference

    from auditor.parse import sourcemap

    library = esbuild.parent.parent / "esbuild" / "lib" / "main.js"
    out = tmp_path / "lib.js"
    subprocess.run([str(esbuild), str(library), "--bundle", "--minify", "--platform=node", "--sourcemap", f"--outfile={out}", "--log-level=error"], check=True, capture_output=True, timeout=120)
    data = json.loads(out.with_name("lib.js.map").read_text(encoding="utf-8"))
    lines = out.read_text(encoding="utf-8").split("\n")
    positions = [(n, c) for n, line in enumerate(lines) for c in [*range(0, len(line) + 3, 29), len(line) - 1]]
    assert len(data["mappings"]) > 50_000 and len(positions) > 1000
    for name, value in zip(("FIRST_CHUNK", "CARRY_CHUNK", "SKIP_MIN", "SKIP_SHARE"), chunk_sizes, strict=True):
        monkeypatch.setattr(sourcemap, name, value)  # the second set: tiny chunks, and sums that often overshoot
    expected = reference(data, positions)
    assert sum(v is not None for v in expected.values()) > 0.9 * len(positions)
    assert fast(sourcemap.parse_map(json.dumps(data)), positions) == expected
    for part in (positions[: len(positions) // 3], positions[-5:], positions[::97]):  # fewer lines looked up: more is summed, less put in order
        assert fast(sourcemap.parse_map(json.dumps(data)), part) == reference(data, part)
