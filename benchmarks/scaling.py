"""Scaling: the same app at N and 2N resources; the time ratio should stay <= 2.1.

    python benchmarks/scaling.py [--resources 2000] [--bundle-resources 10000] [--repeat 5]

Builds a folder app with N pages, scripts and stylesheets (realistic small
files), then one with 2N; and a Signed Web Bundle of M 4 KB resources of every
content type taking turns (benchmarks/bundle_audit.py), then one of 2M. Each
pair is audited with the CLI in paired rounds; medians, the median per-round
ratio (nothing subtracted) and peak RSS are printed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_audit import TYPES
from bundle_audit import build as build_bundle
from measure import header, paired, ratio

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Page {i}</title>
<link rel="stylesheet" href="/css/s{i}.css"><script type="module" src="/js/m{i}.js"></script></head>
<body><main><h1>Page {i}</h1><p class="lead">Some text for page {i}.</p><img src="/img/i.png" alt=""></main></body></html>
"""
SCRIPT = """import {{ helper }} from "./m{j}.js";
export function run{i}(el) {{
  const items = Array.from({{ length: {i} % 17 + 3 }}, (_, k) => ({{ id: k, label: `item ${{k}}` }}));
  for (const item of items) {{ const li = document.createElement("li"); li.textContent = item.label; el.append(li); }}
  fetch("/data/{i}.json").then((r) => r.json()).then((d) => helper(d));
  return items.length;
}}
"""
STYLE = ".c{i} {{ color: #{i:06x}; margin: {m}px; }}\n@media (min-width: 40em) {{ .c{i} {{ padding: 1rem; }} }}\n"


def build_app(root: Path, n: int) -> Path:
    for sub in ("css", "js", "img", ".well-known"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / ".well-known" / "manifest.webmanifest").write_text(json.dumps({"name": "bench", "id": "/", "scope": "/", "start_url": "/p0.html", "version": "1.0.0"}))
    (root / "img" / "i.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    per_kind = max(1, n // 3)
    for i in range(per_kind):
        (root / f"p{i}.html").write_text(PAGE.format(i=i))
        (root / "js" / f"m{i}.js").write_text(SCRIPT.format(i=i, j=(i + 1) % per_kind))
        (root / "css" / f"s{i}.css").write_text(STYLE.format(i=i, m=i % 9))
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--bundle-resources", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="iwa-scaling-"))
    try:
        exe = shutil.which("iwa-audit", path=str(Path(sys.executable).parent))
        base = [exe] if exe else [sys.executable, "-m", "auditor"]
        print(header(f"python benchmarks/scaling.py --resources {args.resources} --bundle-resources {args.bundle_resources} --repeat {args.repeat}"), flush=True)
        small = build_app(tmp / "n", args.resources)
        large = build_app(tmp / "2n", args.resources * 2)
        got = paired({"n": [*base, str(small), "--format", "json"], "2n": [*base, str(large), "--format", "json"]}, repeat=args.repeat)
        a, b = got["n"], got["2n"]
        print(f"folder N  = {args.resources:>6} files: median {a.median_s:.3f} s, peak RSS {a.peak_rss_mb:.0f} MB")
        print(f"folder 2N = {args.resources * 2:>6} files: median {b.median_s:.3f} s, peak RSS {b.peak_rss_mb:.0f} MB")
        print(f"folder time ratio 2N/N: {ratio(b, a):.2f} (target <= 2.1)", flush=True)
        paths = {}
        for name, count in (("n", args.bundle_resources), ("2n", args.bundle_resources * 2)):
            target = tmp / f"{name}.swbn"
            app_id, _ = build_bundle(target, 0, 4096, list(TYPES), assets=count)
            paths[name] = [*base, str(target), "--format", "json", "--expect-id", app_id]
        got = paired(paths, repeat=args.repeat)
        a, b = got["n"], got["2n"]
        print(f"bundle M  = {args.bundle_resources:>6} resources: median {a.median_s:.3f} s, peak RSS {a.peak_rss_mb:.0f} MB")
        print(f"bundle 2M = {args.bundle_resources * 2:>6} resources: median {b.median_s:.3f} s, peak RSS {b.peak_rss_mb:.0f} MB")
        print(f"bundle time ratio 2M/M: {ratio(b, a):.2f} (target <= 2.1)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
