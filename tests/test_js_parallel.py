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


def counting_starts(monkeypatch) -> list[tuple[int, bool]]:
    calls: list[tuple[int, bool]] = []
    real_start = js_pool.start
    monkeypatch.setattr(js_pool, "start", lambda trees, jobs, ahead=False: calls.append((len(trees), ahead)) or real_start(trees, jobs, ahead=ahead))
    return calls


def test_workers_give_the_serial_report_byte_for_byte(app, monkeypatch):
    calls = counting_starts(monkeypatch)
    root = app(many_scripts(40, pad=20_000))  # 40 scripts of ~20 KB: over the parallel threshold
    serial = rendered(audit(root, settings={"jobs": 1}))
    assert calls == []
    parallel = rendered(audit(root, settings={"jobs": 2}))
    # started before the first rule (`Windows.prime`): the pool must have run, or this compares serial with serial
    assert calls == [(40, True)]
    assert parallel == serial
    assert serial.count('"rule_id"') >= 40 * 4


def test_windows_read_ahead_in_workers_give_the_serial_report(app, monkeypatch):
    monkeypatch.setattr(js, "WINDOW_BYTES", 5 * 20_000)  # windows of 5 scripts: each read and started ahead
    monkeypatch.setattr(js_pool, "PARALLEL_MIN_BYTES", 0)
    calls = counting_starts(monkeypatch)
    root = app(many_scripts(40, pad=20_000))
    serial = rendered(audit(root, settings={"jobs": 1}))
    parallel = rendered(audit(root, settings={"jobs": 2}))
    assert calls == [(5, True)] * 8  # every window went to a worker while the one before ran its rules
    assert parallel == serial


def test_small_apps_stay_serial(app, monkeypatch):
    monkeypatch.setattr(js_pool, "start", lambda *args, **kwargs: pytest.fail("a pool for a few KB of script"))
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


def test_workers_read_ahead_and_never_collected_are_stopped():
    import gc

    trees = [js.JsTree(None, SCRIPT.format(i=i, pad="x" * 20_000).encode()) for i in range(4)]
    running = js_pool.start(trees, 2, ahead=True)
    assert running is not None and len(running.workers) == 1  # the main process is busy elsewhere: one worker
    processes = [process for process, _ in running.workers]
    running.close()
    assert not any(p.is_alive() for p in processes)
    dropped = js_pool.start(trees, 2, ahead=True)
    processes = [process for process, _ in dropped.workers]
    del dropped
    gc.collect()
    assert processes and not any(p.is_alive() for p in processes)


def test_a_read_ahead_worker_gives_what_the_main_process_would():
    trees = [js.JsTree(None, SCRIPT.format(i=i, pad="x" * 1000).encode()) for i in range(3)]
    running = js_pool.start(trees, 2, ahead=True)
    got = [shapes_of(grouped) for grouped in running.collect()]
    assert got == [shapes_of(js.snapshot_matches(js.JsTree(None, t.source))) for t in trees] and all(got)


def shapes_of(grouped: dict) -> dict:
    def shape(snap):
        return (snap.type, snap.start_byte, snap.end_byte, tuple(shape(child) for child in snap.children))

    return {handle: [(p, {name: [shape(n) for n in nodes] for name, nodes in c.items()}) for p, c in found] for handle, found in grouped.items()}


def test_a_script_with_many_occurrences_is_queried_by_two_processes_with_the_same_result(monkeypatch):
    source = "".join(SCRIPT.format(i=i, pad="") for i in range(60)).replace("\n", " ").encode()
    serial = js.snapshot_matches(js.JsTree(None, source))
    forks = []
    real = js.in_two
    monkeypatch.setattr(js, "in_two", lambda first, second: forks.append(1) or real(first, second))
    monkeypatch.setattr(js, "SPLIT_MIN_SPOTS", 100)
    monkeypatch.setattr(js, "SPLIT_MIN_BYTES", 1000)
    monkeypatch.setattr(js, "SAMPLE_BYTES", 1000)
    split = js.snapshot_matches(js.JsTree(None, source), split=True)
    assert forks == [1]
    assert list(split) == list(serial) and shapes_of(split) == shapes_of(serial) and len(serial) >= 5
    monkeypatch.setattr(js, "SPLIT_MIN_SPOTS", 10**6)
    js.snapshot_matches(js.JsTree(None, source), split=True)
    assert forks == [1]  # fewer occurrences than the threshold: one process


def test_a_child_that_fails_leaves_the_work_to_the_parent():
    assert js.in_two(lambda: 1 / 0, lambda: {"x": 1}) is None


def test_queries_in_two_groups_of_about_the_same_estimated_load(monkeypatch):
    monkeypatch.setattr(js, "SPLIT_MIN_SPOTS", 100)
    source = "".join(SCRIPT.format(i=i, pad="") for i in range(60)).encode()
    first, second = js.halves(source)
    assert sorted(first + second) == list(range(len(js.REGISTERED))) and first and second

    def load(handles):
        return sum(len(js.word_spots(source, *js.REGISTERED[h])) for h in handles)

    assert abs(load(first) - load(second)) <= max(len(js.word_spots(source, *query)) for query in js.REGISTERED)
    monkeypatch.setattr(js, "SPLIT_MIN_SPOTS", 10**6)
    assert js.halves(source) is None


def test_chunks_the_main_process_takes_early_land_in_the_collected_results():
    trees = [js.JsTree(None, SCRIPT.format(i=i, pad="x" * 300_000).encode()) for i in range(4)]  # one chunk each
    running = js_pool.start(trees, 2, ahead=True)
    while running.take_one():  # the worker may have taken some: the rest are taken here
        pass
    assert running.taken and not running.take_one()
    assert [shapes_of(g) for g in running.collect()] == [shapes_of(js.snapshot_matches(js.JsTree(None, t.source))) for t in trees]
    assert running not in js_pool._ACTIVE and not running.taken
