"""Source mapping's cost on a real app: the audit with and without `--no-source-maps` (target: mapped <= 1.10 x).

    python benchmarks/source_maps.py [--repeat 11] [--packages "react-dom@18.3.1 react@18.3.1 three@0.160.0"] [--work DIR] [--compiled]

Installs esbuild and real libraries from npm into a temporary folder, bundles a
small TypeScript app that imports them (minified, one linked `.map`, as Vite's
production build does), and times `iwa-audit dist` (all rules) both ways. The
libraries' own findings land in the big bundle, so its whole map is decoded:
the worst case for the mapping, not a best case. The two commands take turns
within each round (the machine is shared: load drifts), and the ratio is the
median of the per-round ratios. `--work DIR` keeps the built app between runs.
`--compiled` byte-compiles the package first (`compileall`), as an ordinary
install does: without it, where PYTHONDONTWRITEBYTECODE is set (this sandbox),
every run compiles every module it imports from source, the mapping modules
(~10 ms) only in the mapped run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import header, paired, ratio

ESBUILD = "esbuild@0.28.2"
MAIN_TS = """import * as THREE from "three";
import { createRoot } from "react-dom/client";
import { createElement } from "react";

export async function load(path: string): Promise<string> {
  const response = await fetch("http://api.example.com/v1/" + path);
  return response.text();
}

const scene = new THREE.Scene();
scene.add(new THREE.Mesh(new THREE.BoxGeometry(1, 1, 1), new THREE.MeshBasicMaterial()));
createRoot(document.getElementById("root")!).render(createElement("p", null, "ready"));
document.getElementById("out")!.innerHTML = await load("status");
"""
MANIFEST = {"name": "bench", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}


def build(work: Path, packages: list[str]) -> Path:
    """The project folder: src/, node_modules/, dist/ with the bundle and its map."""
    if (work / "dist" / "assets" / "index-3f9a1c.js.map").is_file():
        return work / "dist"
    (work / ".git").mkdir(exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(work), ESBUILD, *packages], check=True, timeout=600)
    (work / "src").mkdir(exist_ok=True)
    (work / "src" / "main.ts").write_text(MAIN_TS, encoding="utf-8")
    esbuild = work / "node_modules" / ".bin" / "esbuild"
    subprocess.run([str(esbuild), "src/main.ts", "--bundle", "--minify", "--format=esm", "--sourcemap", "--outfile=dist/assets/index-3f9a1c.js", "--log-level=error"], check=True, cwd=work, timeout=300)
    (work / "dist" / ".well-known").mkdir(parents=True, exist_ok=True)
    (work / "dist" / ".well-known" / "manifest.webmanifest").write_text(json.dumps(MANIFEST), encoding="utf-8")
    (work / "dist" / "index.html").write_text('<!doctype html><div id="root"></div><div id="out"></div><script type="module" src="/assets/index-3f9a1c.js"></script>\n', encoding="utf-8")
    return work / "dist"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--packages", default="react-dom@18.3.1 react@18.3.1 three@0.160.0")
    parser.add_argument("--work", type=Path, help="build the app here (kept) instead of in a temporary folder")
    parser.add_argument("--compiled", action="store_true", help="byte-compile auditor/ and rules/ first, as an install does (both commands then load byte code)")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    if args.compiled:
        for package in ("auditor", "rules"):
            compileall.compile_dir(str(root / package), quiet=1)
    if shutil.which("npm") is None:
        sys.exit("npm is needed to build the app")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work.resolve() if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        dist = build(work, args.packages.split())
        bundle, source_map = dist / "assets" / "index-3f9a1c.js", dist / "assets" / "index-3f9a1c.js.map"
        cli = [sys.executable, "-m", "auditor", "dist", "--exit-zero"]
        env = {**os.environ, "PYTHONPATH": str(root)}
        runs = paired({"unmapped": [*cli, "--no-source-maps"], "mapped": cli}, repeat=args.repeat, env=env, cwd=str(work))
        plain, mapped = runs["unmapped"], runs["mapped"]
        report = json.loads(subprocess.run([*cli, "--format", "json"], capture_output=True, text=True, env=env, cwd=work, check=True).stdout)
        moved = [f for f in report["findings"] if f["built"] is not None]
        print(header(""))
        cached = sum(1 for _ in (root / "auditor").rglob("__pycache__/*.pyc"))
        compiled = "compiled first (compileall)" if args.compiled else f"not compiled first ({cached} cached .pyc under auditor/, PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})"
        print(f"byte code: {compiled}")
        print(f"app: {bundle.stat().st_size / 1e6:.2f} MB of minified JS, map {source_map.stat().st_size / 1e6:.2f} MB ({args.packages})")
        print(f"findings: {len(report['findings'])}, {len(moved)} mapped to their source ({sum(1 for f in moved if f['path'].startswith('src/'))} in src/)")
        print(f"unmapped (--no-source-maps): {plain.median_s:.3f} s  runs {plain.runs_s}  peak RSS {plain.peak_rss_mb:.0f} MB")
        print(f"mapped:                      {mapped.median_s:.3f} s  runs {mapped.runs_s}  peak RSS {mapped.peak_rss_mb:.0f} MB")
        print(f"mapped - unmapped: {mapped.median_s - plain.median_s:+.3f} s; ratio mapped / unmapped (median of {args.repeat} paired rounds): {ratio(mapped, plain):.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
