"""Where worker processes start to pay: serial against a pool on the same scripts, by volume.

    python benchmarks/js_parallel.py [--repeat 5] [--jobs 2]

For growing volumes of small scripts (realistic module code, ~6 KB each),
times in this process the serial path (`snapshot_matches` per script, what
`--jobs 1` does) against `auditor.parse.js_pool.run` (fork a pool, send the
work, collect the snapshots), in paired rounds, and prints the median ratio
per volume. `PARALLEL_MIN_BYTES` in auditor/parse/js_pool.py is set from the
smallest volume where the pool wins clearly (ratio <= 0.9) on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import header

MODULE = """import {{ html, render }} from "./lit{i}.js";
export class View{i} extends HTMLElement {{
  connectedCallback() {{
    this.attachShadow({{ mode: "open" }});
    const items = Array.from({{ length: {i} % 17 + 3 }}, (_, k) => ({{ id: k, label: `item ${{k}}` }}));
    for (const item of items) {{ const li = document.createElement("li"); li.textContent = item.label; this.shadowRoot.append(li); }}
    fetch("/data/{i}.json").then((r) => r.json()).then((d) => {{ this.title = d.title; }});
    setTimeout(() => this.refresh(), {i});
  }}
  refresh() {{ render(html`<p>${{this.title}}</p>`, this.shadowRoot); }}
}}
customElements.define("view-{i}", View{i});
"""


def scripts(volume: int) -> list[bytes]:
    out, total, i = [], 0, 0
    while total < volume:
        source = (MODULE.format(i=i) * 8).encode()
        out.append(source)
        total += len(source)
        i += 1
    return out


def _spin(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def cpu_speedup(jobs: int, n: int = 2_000_000) -> float:
    """What `jobs` processes gain on a pure-CPU loop right now: the ceiling for any pool on this
    machine at this moment (below 1 when other work holds the cores)."""
    import multiprocessing

    start = time.perf_counter()
    for _ in range(jobs):
        _spin(n)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_spin, [n] * jobs)
    return serial / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from auditor.engine.catalogue import all_rules
    from auditor.parse import js, js_pool

    all_rules()  # every rule module imported: every query registered, as in an audit

    js.check_queries()  # compiled before forking, as after the first script of a real audit
    print(header(f"python benchmarks/js_parallel.py --repeat {args.repeat} --jobs {args.jobs}"))
    print(f"current PARALLEL_MIN_BYTES = {js_pool.PARALLEL_MIN_BYTES // 1024} KB")
    print(f"reference: {args.jobs} processes on a pure-CPU loop are {cpu_speedup(args.jobs):.2f}x one, right now (2.0 on an idle 2-core machine)")
    for kb in (32, 64, 128, 256, 512, 1024, 4096):
        sources = scripts(kb * 1024)
        serial_s, pool_s = [], []
        for _ in range(args.repeat):
            trees = [js.JsTree(None, s) for s in sources]
            start = time.perf_counter()
            for tree in trees:
                js.snapshot_matches(tree)
                tree.drop_tree()
            serial_s.append(time.perf_counter() - start)
            trees = [js.JsTree(None, s) for s in sources]
            start = time.perf_counter()
            js_pool.run(trees, args.jobs)
            pool_s.append(time.perf_counter() - start)
        ratio = statistics.median(p / s for p, s in zip(pool_s, serial_s, strict=True))
        print(f"{kb:>5} KB in {len(sources):>4} scripts: serial {statistics.median(serial_s) * 1000:7.1f} ms, "
              f"pool of {args.jobs} {statistics.median(pool_s) * 1000:7.1f} ms, ratio pool/serial {ratio:.2f}")
    print(f"reference again: {cpu_speedup(args.jobs):.2f}x")


if __name__ == "__main__":
    main()
