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


def run_once(cmd: Sequence[str], *, env: dict | None = None, cwd: str | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, and exit code of one run (output discarded)."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
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
            cpu = next((ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
