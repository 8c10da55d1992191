"""Both cores for JavaScript: the registered queries of many scripts run in worker processes.

Parsing and querying a script is pure CPU in tree-sitter and needs nothing but
its bytes, so independent scripts can be handed to workers. A worker returns
only what rules read, the snapshots of `snapshot_matches` (no tree crosses the
process boundary), and each result lands on its own script, so findings are the
same, in the same order, as in a serial run. A pool costs its start-up and the
copying of results; below `PARALLEL_MIN_BYTES` of script that holds any query's
word the audit stays serial (`benchmarks/js_parallel.py` measures that point).
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from auditor.parse import js

# Break-even measured by benchmarks/js_parallel.py (2 cores): below this much script holding a
# query word, a pool's start-up costs more than the second core saves.
PARALLEL_MIN_BYTES = 512 * 1024
# Scripts are sent in chunks of about this many bytes, so small files do not pay one round trip each.
CHUNK_BYTES = 256 * 1024

_SOURCES: list[bytes] = []  # what forked workers read, instead of receiving each script pickled


def available_cpus() -> int:
    """CPUs this process may run on (`os.process_cpu_count` where Python has it)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return count() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def jobs_wanted(setting: object) -> int:
    """The `jobs` setting as a worker count: None or 0 means every available CPU."""
    if isinstance(setting, int) and setting > 0:
        return setting
    return available_cpus()


def words() -> tuple[bytes, ...]:
    return tuple(dict.fromkeys(w for _, ws in js.REGISTERED for w in ws))


def _work_forked(indexes: list[int]) -> list[tuple[int, dict]]:
    return [(i, js.snapshot_matches(js.JsTree(None, _SOURCES[i]))) for i in indexes]


def _work_sent(items: list[tuple[int, bytes]]) -> list[tuple[int, dict]]:
    return [(i, js.snapshot_matches(js.JsTree(None, source))) for i, source in items]


def chunks(sizes: list[tuple[int, int]], chunk_bytes: int, workers: int) -> list[list[int]]:
    """Script indexes grouped into chunks of about `chunk_bytes`, largest scripts first (so the
    long ones start early and the small ones fill the gaps), at least one chunk per worker."""
    total = sum(size for _, size in sizes)
    target = max(1, min(chunk_bytes, total // (workers * 2) or 1))
    out: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for index, size in sorted(sizes, key=lambda item: -item[1]):
        current.append(index)
        filled += size
        if filled >= target:
            out.append(current)
            current, filled = [], 0
    if current:
        out.append(current)
    return out


class Batch:
    """The scripts of one list: the first query on any of them runs the queries of all."""

    def __init__(self, trees: list[js.JsTree], jobs: int) -> None:
        self.trees = trees
        self.jobs = jobs
        self.done = False

    @classmethod
    def attach(cls, trees: list[js.JsTree], setting: object) -> None:
        jobs = jobs_wanted(setting)
        if jobs <= 1 or len(trees) < 2:
            return
        batch = cls(trees, jobs)
        for tree in trees:
            tree._batch = batch

    def __call__(self, _tree: js.JsTree) -> None:
        if self.done:
            return
        self.done = True
        for tree in self.trees:
            tree._batch = None
        found = words()
        pending = [t for t in self.trees if t._matches is None and any(w in t.source for w in found)]
        if len(pending) < 2 or sum(len(t.source) for t in pending) < PARALLEL_MIN_BYTES:
            return  # serial: query_matches handles each script when asked
        results = run(pending, self.jobs)
        if results is None:
            return
        for tree, grouped in zip(pending, results, strict=True):
            tree._matches = grouped
            tree.drop_tree()


def run(trees: list[js.JsTree], jobs: int) -> list[dict] | None:
    """Each script's grouped snapshots, in the order given; None when no pool can be had."""
    global _SOURCES
    workers = min(jobs, len(trees))
    groups = chunks([(i, len(t.source)) for i, t in enumerate(trees)], CHUNK_BYTES, workers)
    methods = multiprocessing.get_all_start_methods()
    forked = "fork" in methods and sys.platform != "darwin"
    results: list[dict | None] = [None] * len(trees)
    try:
        context = multiprocessing.get_context("fork" if forked else "spawn")
        if forked:
            _SOURCES = [t.source for t in trees]
            work, payload = _work_forked, groups
        else:
            work, payload = _work_sent, [[(i, trees[i].source) for i in group] for group in groups]
        with context.Pool(workers) as pool:
            for part in pool.imap_unordered(work, payload):
                for index, grouped in part:
                    results[index] = grouped
    except OSError:
        return None  # no processes to be had (a sandbox): the serial path still works
    finally:
        _SOURCES = []
    return results  # type: ignore[return-value]
