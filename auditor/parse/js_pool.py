"""Both cores for JavaScript: the registered queries of many scripts run in worker processes.

Parsing and querying a script is pure CPU in tree-sitter and needs nothing but
its bytes, so independent scripts can be handed to workers. A worker returns
only what rules read, the snapshots of `snapshot_matches` (no tree crosses the
process boundary), and each result lands on its own script, so findings are the
same, in the same order, as in a serial run. A pool costs its start-up and the
copying of results; below `PARALLEL_MIN_BYTES` of script that holds any query's
word the audit stays serial (`benchmarks/js_parallel.py` measures that point).

Script files are started ahead (`Batch.ahead`, from `js.Windows`): a window's
workers run while the main process runs the rules of the window before, and
the main process joins in when it reaches the window (`Running.collect`), taking
chunks of a later window rather than wait. Inline scripts of a page run at once
(`run`): the main process and `jobs - 1` workers share them.
"""

from __future__ import annotations

import os
import sys
import weakref

from auditor.parse import js

# From benchmarks/js_parallel.py (2 cores, 2026-12-02, the machine's own 2-process ceiling 1.78x):
# a pool of 2 took 0.91 of the serial time at 32 KB of script, 0.77 at 64 KB, 0.71-0.74 from
# 128 KB to 512 KB; 64 KB is the smallest volume where it wins clearly (<= 0.9).
PARALLEL_MIN_BYTES = 64 * 1024
# Scripts are sent in chunks of about this many bytes, so small files do not pay one round trip each.
CHUNK_BYTES = 256 * 1024

_STATE: tuple | None = None  # (sources, groups, counter): what forked workers read instead of pickled input
_ACTIVE: weakref.WeakSet[Running] = weakref.WeakSet()  # lists being queried by workers, not collected yet


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


def _next_group(counter, count: int) -> int | None:
    """The next group nobody took yet (main process and workers share one counter)."""
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    return index if index < count else None


def _drain(sources: list[bytes], groups: list[list[int]], counter) -> tuple[list[tuple[int, dict]], js.JsTree | None]:
    """Query the chunks nobody took yet; also returns the last script's tree, still alive (see `_worker`)."""
    done = []
    last = None
    while (group := _next_group(counter, len(groups))) is not None:
        for i in groups[group]:
            tree = js.JsTree(None, sources[i])
            done.append((i, js.snapshot_matches(tree, split=True)))
            last = tree  # the one before is freed here
    return done, last


def _worker(connection) -> None:
    global _KEPT
    sources, groups, counter = _STATE  # type: ignore[misc]
    done, _KEPT = _drain(sources, groups, counter)
    connection.send(done)
    connection.close()


# A worker's last tree, kept past its results: a forked worker ends with os._exit, so it is never freed
# (a 7 MB minified script's tree takes 0.25 s to free, time the main process would wait for).
_KEPT: js.JsTree | None = None


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
    """The scripts of one list: the first query on any of them runs the queries of all, or collects
    them from the workers `ahead` started when the list was read."""

    def __init__(self, trees: list[js.JsTree], jobs: int, running: Running | None = None) -> None:
        self.trees = trees
        self.jobs = jobs
        self.running = running
        self.done = False

    @classmethod
    def attach(cls, trees: list[js.JsTree], setting: object) -> None:
        jobs = jobs_wanted(setting)
        if jobs <= 1 or len(trees) < 2:
            return
        cls(trees, jobs).bind()

    @classmethod
    def ahead(cls, trees: list[js.JsTree], setting: object) -> Batch | None:
        """Start these scripts' queries in workers now, for a first query that comes later."""
        jobs = jobs_wanted(setting)
        sent = worth_sending(trees) if jobs > 1 else []
        running = start(sent, jobs, ahead=True) if sent else None
        if running is None:
            return None
        batch = cls(sent, jobs, running)
        batch.bind()
        return batch

    def bind(self) -> None:
        for tree in self.trees:
            tree._batch = self

    def __call__(self, _tree: js.JsTree) -> None:
        if self.done:
            return
        self.done = True
        for tree in self.trees:
            tree._batch = None
        if self.running is not None:
            fill(self.trees, self.running.collect())
            self.running = None
            return
        pending = worth_sending(self.trees)
        if len(pending) < 2:
            return  # serial: query_matches handles each script when asked
        results = run(pending, self.jobs)
        if results is not None:
            fill(pending, results)

    def close(self) -> None:
        """Give up: no script of the list was queried (the workers of a read-ahead are stopped)."""
        self.done = True
        if self.running is not None:
            self.running.close()
            self.running = None


def worth_sending(trees: list[js.JsTree]) -> list[js.JsTree]:
    """The scripts a pool should query: not queried yet and holding a word of some query, when
    together they reach `PARALLEL_MIN_BYTES` (none otherwise: a pool would cost more than it gives)."""
    found = words()
    pending = [t for t in trees if t._matches is None and any(w in t.source for w in found)]
    return pending if sum(len(t.source) for t in pending) >= PARALLEL_MIN_BYTES else []


def fill(trees: list[js.JsTree], results: list[dict]) -> None:
    for tree, grouped in zip(trees, results, strict=True):
        tree._matches = grouped
        tree.drop_tree()


def run(trees: list[js.JsTree], jobs: int) -> list[dict] | None:
    """Each script's grouped snapshots, in the order given; None when no worker can be had.

    The main process works too (it would only wait otherwise): it and `jobs - 1`
    forked workers take chunks from one shared counter, so a slow core or a big
    script does not hold the others back; each worker sends its results once, at
    the end. Only where `fork` exists (Linux): elsewhere a worker would have to
    import the whole tool again, and the audit stays serial.
    """
    running = start(trees, jobs)
    return running.collect() if running is not None else None


def start(trees: list[js.JsTree], jobs: int, *, ahead: bool = False) -> Running | None:
    """Fork `jobs - 1` workers that start on these scripts now; `Running.collect` gets the results
    (the main process takes whatever no worker has taken by then). With `ahead` the main process
    is busy elsewhere until it collects, so even a single chunk goes to a worker. None where
    `fork` is not available."""
    import multiprocessing

    global _STATE
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        return None
    context = multiprocessing.get_context("fork")
    sources = [t.source for t in trees]
    groups = chunks([(i, len(s)) for i, s in enumerate(sources)], CHUNK_BYTES, jobs)
    workers = []
    try:
        counter = context.Value("i", 0)
        _STATE = (sources, groups, counter)
        for _ in range(min(jobs - 1, len(groups) if ahead else len(groups) - 1)):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(send,), daemon=True)
            process.start()
            send.close()
            workers.append((process, receive))
    except OSError:
        pass  # fewer workers (or none): the main process takes what they would have
    finally:
        _STATE = None
    if ahead:
        js.check_queries()  # compiled here once, while the workers start: later workers inherit them (each compile costs ~20 ms)
    return Running(sources, groups, counter, workers)


class Running:
    """Scripts being queried by forked workers, from `start` until `collect` (or `close`; the
    workers are stopped too if this is dropped without either)."""

    def __init__(self, sources: list[bytes], groups: list[list[int]], counter, workers: list) -> None:
        self.sources, self.groups, self.counter, self.workers = sources, groups, counter, workers
        self.taken: list[tuple[int, dict]] = []  # chunks the main process queried early (`take_one`)
        self._stop = weakref.finalize(self, _stop, list(workers))
        _ACTIVE.add(self)

    def take_one(self) -> bool:
        """Query one chunk nobody took yet here, for a later `collect`: what the main process does
        while it waits for the workers of another list (a window read ahead). False if none is left."""
        group = _next_group(self.counter, len(self.groups))
        if group is None:
            return False
        self.taken += [(i, js.snapshot_matches(js.JsTree(None, self.sources[i]), split=True)) for i in self.groups[group]]
        return True

    def collect(self) -> list[dict]:
        """Each script's grouped snapshots, in the order given: the chunks no worker took yet are
        queried here, then the workers' results are read (while a worker is still busy, the main
        process takes chunks of other running lists rather than wait); a worker that died is redone here."""
        sources = self.sources
        results: list[dict | None] = [None] * len(sources)
        _ACTIVE.discard(self)
        for index, grouped in self.taken:
            results[index] = grouped
        self.taken = []
        try:
            for index, grouped in _drain(sources, self.groups, self.counter)[0]:
                results[index] = grouped
            for _, receive in self.workers:
                while not receive.poll(0) and any(other.take_one() for other in list(_ACTIVE)):
                    pass
                try:
                    for index, grouped in receive.recv():
                        results[index] = grouped
                except (EOFError, OSError):
                    pass  # a worker died (killed, out of memory): its scripts are redone below
        except BaseException:
            self.close()
            raise
        # Every worker has sent all it will send and is ending: not waited for (unmapping a large
        # tree's memory takes ~0.1 s); multiprocessing reaps it at its next start or at exit.
        self._stop.detach()
        for _, receive in self.workers:
            receive.close()
        self.workers = []
        for index, grouped in enumerate(results):
            if grouped is None:
                results[index] = js.snapshot_matches(js.JsTree(None, sources[index]))
        return results  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the workers (results not collected are lost: a window read ahead and not used)."""
        _ACTIVE.discard(self)
        self._stop()
        self.workers = []
        self.taken = []


def _stop(workers: list) -> None:
    for process, receive in workers:
        receive.close()
        if process.is_alive():
            process.kill()
            process.join()
