"""A JS-heavy app: iwa-audit (serial and with workers) against Mozilla's addons-linter on the same files.

    python benchmarks/vs_addons_linter.py [--repeat 3] [--copies 3]

Targets (issue 16): iwa-audit with the default --jobs >= 10x faster than
addons-linter, and >= 1.6x faster than `--jobs 1` on an idle 2-core machine.
The three commands run in paired rounds (taking turns); medians and the median
per-round ratios are printed, with the machine's own 2-process speed-up on a
pure-CPU loop measured just before (the ceiling for any pool at that moment).

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
from js_parallel import cpu_speedup
from measure import header, paired, ratio

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
    parser.add_argument("--repeat", type=int, default=3)
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
        exe = shutil.which("iwa-audit", path=str(Path(sys.executable).parent))
        ours = [exe] if exe else [sys.executable, "-m", "auditor"]
        ceiling = cpu_speedup(2)
        got = paired({
            "iwa-audit --jobs 1": [*ours, str(app), "--format", "json", "--jobs", "1"],
            "iwa-audit (default jobs)": [*ours, str(app), "--format", "json"],
            "addons-linter": [str(linter), "--output", "json", str(app)],
        }, repeat=args.repeat, uncapped=("addons-linter",))
        serial, parallel, linter_m = got["iwa-audit --jobs 1"], got["iwa-audit (default jobs)"], got["addons-linter"]
        print(header(f"python benchmarks/vs_addons_linter.py --repeat {args.repeat} --copies {args.copies}"))
        print(f"app: {sum(1 for _ in app.rglob('*.js'))} JS files, {size / 1e6:.1f} MB of JavaScript ({', '.join(PACKAGES)})")
        print(f"2 processes on a pure-CPU loop: {ceiling:.2f}x one, just before (2.0 when the cores are idle)")
        for name, m in got.items():
            print(f"{name:<26} median {m.median_s:6.2f} s, peak RSS {m.peak_rss_mb:5.0f} MB, exit {m.exit_code}")
        check = subprocess.run([str(linter), "--output", "json", str(app)], capture_output=True, text=True, check=False)
        try:
            scanned = json.loads(check.stdout)
            print(f"addons-linter scanned {scanned['metadata'].get('totalScannedFileSize', 0) / 1e6:.1f} MB, {scanned['count']} messages")
        except (ValueError, KeyError):
            print(f"addons-linter output not JSON: {check.stdout[:200]!r} {check.stderr[-300:]!r}")
        print(f"addons-linter / iwa-audit (default jobs): {ratio(linter_m, parallel):.1f}x (target >= 10)")
        print(f"iwa-audit --jobs 1 / default jobs: {ratio(serial, parallel):.2f}x (target >= 1.6 on an idle 2-core machine)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
