"""Measure commands the way the benchmarks report them: median wall time and peak RSS.

Each run is a child process waited with os.wait4, so the peak RSS is that
run's own (RUSAGE_CHILDREN would report the maximum over all children).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    median_s: float
    runs_s: tuple[float, ...]
    peak_rss_mb: float
    exit_code: int


# Address space any measured run may take: a run that balloons fails here instead of taking the
# memory of everyone sharing the machine (its exit code shows it).
MEMORY_CAP_BYTES = 8 * 1024**3


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def run_once(cmd: Sequence[str], *, env: dict | None = None, cwd: str | None = None, capped: bool = True) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, and exit code of one run (output discarded). `capped=False`
    for runtimes that reserve more address space than they use (node's V8 fails under the cap)."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, preexec_fn=_cap_memory if capped else None)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def measure(cmd: Sequence[str], *, repeat: int = 5, warmup: int = 1, env: dict | None = None, cwd: str | None = None) -> Measurement:
    """Median of `repeat` runs after `warmup` unmeasured ones (page cache warm for everyone)."""
    for _ in range(warmup):
        run_once(cmd, env=env, cwd=cwd)
    runs = [run_once(cmd, env=env, cwd=cwd) for _ in range(repeat)]
    return Measurement(
        median_s=statistics.median(r[0] for r in runs),
        runs_s=tuple(round(r[0], 4) for r in runs),
        peak_rss_mb=max(r[1] for r in runs),
        exit_code=runs[-1][2],
    )


def machine() -> str:
    """One line describing where the figures were taken."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def paired(commands: dict[str, Sequence[str]], *, repeat: int = 5, warmup: int = 1, env: dict | None = None, cwd: str | None = None, uncapped: tuple[str, ...] = ()) -> dict[str, Measurement]:
    """Median of each command over `repeat` rounds, the commands taking turns within a round.

    On a shared machine the load drifts over minutes; alternating the commands
    makes each round's figures see the same load, so their ratio holds when the
    absolute times do not. `ratio` gives the median of the per-round ratios.
    """
    for _ in range(warmup):
        for name, cmd in commands.items():
            run_once(cmd, env=env, cwd=cwd, capped=name not in uncapped)
    rounds: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            rounds[name].append(run_once(cmd, env=env, cwd=cwd, capped=name not in uncapped))
    return {
        name: Measurement(
            median_s=statistics.median(r[0] for r in runs),
            runs_s=tuple(round(r[0], 4) for r in runs),
            peak_rss_mb=max(r[1] for r in runs),
            exit_code=runs[-1][2],
        )
        for name, runs in rounds.items()
    }


def ratio(a: Measurement, b: Measurement) -> float:
    """Median of the per-round ratios a/b (paired runs), steadier than a ratio of medians under load."""
    return statistics.median(x / y for x, y in zip(a.runs_s, b.runs_s, strict=True))


def header(command_line: str) -> str:
    """Machine, date and the exact command: what the README rows quote."""
    import datetime
    import sys

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"machine: {machine()}\ndate: {stamp}, load average at start {load:.2f}\ncommand: {command_line or ' '.join(sys.argv)}"
