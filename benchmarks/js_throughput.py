"""JS throughput: MB of JavaScript scanned per second by the content rules (target >= 20 MB/s per core).

    python benchmarks/js_throughput.py [--mb 24] [--repeat 3] [--source FILE]

Builds an app folder with one large minified script (by default generated:
realistic minified code with the sinks and calls the rules look for, on one
line; or `--source FILE` repeated up to --mb, e.g. a real vendor bundle), then
times `iwa-audit APP --select SCR,PRM,LNK` (every rule that parses JS) and
prints MB/s (the audit runs on one core), the parse share, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, measure

CHUNK = (
    'var a{i}=function(t,e){{return t&&e?t.map(function(n){{return n.id+"-"+e}}):[]}},'
    'b{i}={{name:"item {i}",run:function(){{document.getElementById("x{i}").textContent=a{i}([{{id:{i}}}],"k").join(",");'
    'fetch("/api/{i}.json").then(function(r){{return r.json()}}).then(function(d){{el{i}.append(d.title)}});'
    'setTimeout(function(){{b{i}.run()}},{i})}}}};if(b{i}.name.length>3){{console.log("ready {i}")}}'
    'class C{i} extends HTMLElement{{connectedCallback(){{this.attachShadow({{mode:"open"}});this.shadowRoot.append(t{i}.content.cloneNode(!0))}}}}'
    'customElements.define("c-{i}",C{i});'
)


def generated(size: int) -> bytes:
    parts, total, i = [], 0, 0
    rng = random.Random(1)
    while total < size:
        part = CHUNK.format(i=i)
        if rng.random() < 0.001:
            part += 'el.innerHTML="<b>"+n+"</b>";'
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", type=Path)
    args = parser.parse_args()
    size = int(args.mb * 1024 * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app"
        (app / ".well-known").mkdir(parents=True)
        (app / ".well-known" / "manifest.webmanifest").write_text(json.dumps({"name": "bench", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}))
        (app / "index.html").write_text('<!doctype html><script type="module" src="/vendor.js"></script>')
        if args.source:
            unit = args.source.read_bytes() + b"\n"
            data = unit * max(1, size // len(unit))
        else:
            data = generated(size)
        (app / "vendor.js").write_bytes(data)
        mb = len(data) / 1024 / 1024
        from auditor.parse.js import parser as js_parser

        start = time.perf_counter()
        js_parser().parse(data)
        parse_s = time.perf_counter() - start
        cmd = [sys.executable, "-m", "auditor", str(app), "--select", "SCR,PRM,LNK", "--limit", "max_text_resource_bytes=1G", "--limit", "max_script_bytes=1G", "--format", "json"]
        result = measure(cmd, repeat=args.repeat)
        print(f"machine: {machine()}")
        print(f"script: {mb:.1f} MB ({'generated minified' if not args.source else args.source.name}), one line" if not args.source else f"script: {mb:.1f} MB from {args.source}")
        print(f"audit (SCR, PRM, LNK): median {result.median_s:.2f} s -> {mb / result.median_s:.1f} MB/s on one core (target >= 20), peak RSS {result.peak_rss_mb:.0f} MB")
        print(f"tree-sitter parse alone: {parse_s:.2f} s -> {mb / parse_s:.1f} MB/s")


if __name__ == "__main__":
    main()
