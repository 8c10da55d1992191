"""A JS-heavy app: iwa-audit against Mozilla's addons-linter on the same files (target: >= 5x faster).

    python benchmarks/vs_addons_linter.py [--repeat 5] [--copies 3]

Installs `addons-linter` and a few large real libraries (three, lodash-es,
react-dom) from npm into a temporary folder, builds one app folder from their
JavaScript (plus an index.html, an IWA manifest, and the minimal extension
`manifest.json` addons-linter needs), and times both linters on it. Both read
the same bytes and both parse all of the JavaScript with a real parser.
Needs node and npm on PATH.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, measure

# addons-linter 10.14.0 depends on addons-scanner-utils 16.0.0, which the registry here lacked
# (2026-11-23); 10.13.0 is the newest that installs.
PACKAGES = ("addons-linter@10.13.0", "three", "lodash-es", "react-dom")
LIBRARY_GLOBS = ("three/build/*.js", "react-dom/cjs/*.development.js", "lodash-es/*.js")


def install(tmp: Path) -> Path:
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *PACKAGES], cwd=tmp, check=True)
    return tmp / "node_modules"


def build_app(root: Path, modules: Path, copies: int) -> int:
    js = root / "js"
    js.mkdir(parents=True)
    total = 0
    sources = [path for pattern in LIBRARY_GLOBS for path in sorted(modules.glob(pattern))]
    for copy in range(copies):
        for i, src in enumerate(sources):
            data = src.read_bytes()
            (js / f"c{copy}-{i}-{src.stem}.js").write_bytes(data)
            total += len(data)
    (root / "index.html").write_text('<!doctype html><meta charset="utf-8"><title>x</title><script type="module" src="/js/c0-0-three.module.js"></script>')
    (root / "manifest.json").write_text(json.dumps({"manifest_version": 2, "name": "bench", "version": "1.0"}))
    (root / ".well-known").mkdir()
    (root / ".well-known" / "manifest.webmanifest").write_text(json.dumps({"name": "bench", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("npm"):
        print("npm not found: cannot run addons-linter")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="iwa-vs-addons-"))
    try:
        modules = install(tmp)
        app = tmp / "app"
        size = build_app(app, modules, args.copies)
        linter = modules / ".bin" / "addons-linter"
        exe = shutil.which("iwa-audit")
        ours = [exe] if exe else [sys.executable, "-m", "auditor"]
        a = measure([*ours, str(app), "--format", "json"], repeat=args.repeat)
        b = measure([str(linter), "--output", "json", str(app)], repeat=args.repeat)
        print(f"machine: {machine()}")
        print(f"app: {sum(1 for _ in app.rglob('*.js'))} JS files, {size / 1e6:.1f} MB of JavaScript")
        print(f"iwa-audit:     median {a.median_s:.2f} s, peak RSS {a.peak_rss_mb:.0f} MB")
        print(f"addons-linter: median {b.median_s:.2f} s, peak RSS {b.peak_rss_mb:.0f} MB")
        print(f"speed-up: {b.median_s / a.median_s:.1f}x (target >= 5x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
