"""Scripts parsed in worker processes give the same report, in the same order, as a serial run."""

from __future__ import annotations

import pytest
from helpers import audit

from auditor.parse import js, js_pool
from auditor.reporters import renderer

SCRIPT = """
import x from "https://esm.sh/lit{i}";
el{i}.innerHTML = "<b>" + name{i};
fetch("http://api{i}.example/");
setTimeout("go{i}()", 1);
navigator.serial.requestPort();
new Worker("./w{i}.js");
const padding{i} = "{pad}";
"""


def many_scripts(count: int, pad: int) -> dict:
    files = {f"js/s{i:03}.js": SCRIPT.format(i=i, pad="x" * pad) for i in range(count)}
    files["index.html"] = "<!doctype html><title>x</title>" + "".join(f'<script type="module" src="/js/s{i:03}.js"></script>' for i in range(count))
    files[".well-known/manifest.webmanifest"] = {"name": "a", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}
    return files


def rendered(report) -> str:
    return renderer("json")(report, base=report.source.parent)


def test_workers_give_the_serial_report_byte_for_byte(app, monkeypatch):
    calls = []
    real_run = js_pool.run
    monkeypatch.setattr(js_pool, "run", lambda trees, jobs: calls.append(len(trees)) or real_run(trees, jobs))
    root = app(many_scripts(40, pad=20_000))  # 40 scripts of ~20 KB: over the parallel threshold
    serial = rendered(audit(root, settings={"jobs": 1}))
    assert calls == []
    parallel = rendered(audit(root, settings={"jobs": 2}))
    assert calls == [40], "the pool must have run, or this test compares serial with serial"
    assert parallel == serial
    assert serial.count('"rule_id"') >= 40 * 4


def test_small_apps_stay_serial(app, monkeypatch):
    monkeypatch.setattr(js_pool, "run", lambda trees, jobs: pytest.fail("a pool for a few KB of script"))
    root = app(many_scripts(5, pad=10))
    assert audit(root, settings={"jobs": 2}).findings


def test_chunks_cover_every_script_once_largest_first():
    sizes = [(0, 10), (1, 500), (2, 40), (3, 300), (4, 5)]
    groups = js_pool.chunks(sizes, chunk_bytes=300, workers=2)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    assert groups[0][0] == 1 and len(groups) >= 2


def test_worker_results_hold_no_tree_sitter_objects():
    import pickle

    tree = js.JsTree(None, SCRIPT.format(i=1, pad="").encode())
    grouped = js.snapshot_matches(tree)
    assert grouped and pickle.loads(pickle.dumps(grouped)).keys() == grouped.keys()


def test_jobs_default_is_the_cpus_available():
    assert js_pool.jobs_wanted(None) == js_pool.available_cpus() >= 1
    assert js_pool.jobs_wanted(1) == 1
