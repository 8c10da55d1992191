"""One large minified script: the whole audit next to tree-sitter's own parse of the same bytes.

    python benchmarks/js_throughput.py [--mb 7] [--repeat 5] [--source FILE]

Builds an app folder around one minified script on one line (by default
generated: realistic minified code holding, every ~600 bytes, the sinks and
calls the rules look for, the worst case for queries; or `--source FILE`
repeated up to --mb, e.g. a real vendor bundle), then times, in paired runs
(the two commands take turns, medians reported, ratio = median of per-round
ratios), `iwa-audit APP` with every rule against a Python process that only
imports tree-sitter and parses the script. Byte code is compiled first, as an
ordinary install does (this sandbox sets PYTHONDONTWRITEBYTECODE, which would
otherwise make every audit compile the package from source, ~0.2 s).

Targets (issue 16): audit <= 1.5 x the parse; peak RSS <= 60 x the script + 100 MB.
"""

from __future__ import annotations

import argparse
import compileall
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import header, paired, ratio

ROOT = Path(__file__).resolve().parents[1]

CHUNK = (
    'var a{i}=function(t,e){{return t&&e?t.map(function(n){{return n.id+"-"+e}}):[]}},'
    'b{i}={{name:"item {i}",run:function(){{document.getElementById("x{i}").textContent=a{i}([{{id:{i}}}],"k").join(",");'
    'fetch("/api/{i}.json").then(function(r){{return r.json()}}).then(function(d){{el{i}.append(d.title)}});'
    'setTimeout(function(){{b{i}.run()}},{i})}}}};if(b{i}.name.length>3){{console.log("ready {i}")}}'
    'class C{i} extends HTMLElement{{connectedCallback(){{this.attachShadow({{mode:"open"}});this.shadowRoot.append(t{i}.content.cloneNode(!0))}}}}'
    'customElements.define("c-{i}",C{i});'
)
PARSE_ONLY = (
    "import sys, time, tree_sitter, tree_sitter_javascript as tsj\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "tree_sitter.Parser(tree_sitter.Language(tsj.language())).parse(data)\n"
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


def build_app(root: Path, data: bytes) -> Path:
    (root / ".well-known").mkdir(parents=True)
    (root / ".well-known" / "manifest.webmanifest").write_text(json.dumps({"name": "bench", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}))
    (root / "index.html").write_text('<!doctype html><script type="module" src="/vendor.js"></script>')
    (root / "vendor.js").write_bytes(data)
    return root / "vendor.js"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--source", type=Path)
    args = parser.parse_args()
    size = int(args.mb * 1024 * 1024)
    for package in ("auditor", "rules"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        if args.source:
            unit = args.source.read_bytes() + b"\n;"
            data = unit * max(1, -(-size // len(unit)))  # at least --mb
        else:
            data = generated(size)
        script = build_app(Path(tmp) / "app", data)
        mb = len(data) / 1024 / 1024
        audit = [sys.executable, "-m", "auditor", str(script.parent), "--limit", "max_text_resource_bytes=1G", "--limit", "max_script_bytes=1G", "--format", "json"]
        parse = [sys.executable, "-c", PARSE_ONLY, str(script)]
        got = paired({"audit": audit, "parse": parse}, repeat=args.repeat)
        a, p = got["audit"], got["parse"]
        print(header(f"python benchmarks/js_throughput.py --mb {args.mb:g} --repeat {args.repeat}" + (f" --source {args.source}" if args.source else "")))
        print(f"script: {mb:.1f} MB ({args.source.name + ' repeated' if args.source else 'generated minified on one line, dense in query words'})")
        print(f"tree-sitter parse alone (python process): median {p.median_s:.2f} s, peak RSS {p.peak_rss_mb:.0f} MB")
        print(f"iwa-audit, every rule:                    median {a.median_s:.2f} s, peak RSS {a.peak_rss_mb:.0f} MB, exit {a.exit_code}")
        print(f"ratio audit / parse (median of {args.repeat} paired rounds): {ratio(a, p):.2f} (target <= 1.5)")
        print(f"peak RSS {a.peak_rss_mb:.0f} MB vs budget 60 x {mb:.1f} MB + 100 MB = {60 * mb + 100:.0f} MB")


if __name__ == "__main__":
    main()
