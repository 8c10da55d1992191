"""Measure commands the way the benchmarks report them: median wall time and peak RSS.

Each run is a child process waited with os.wait4, so the peak RSS is that
run's own (RUSAGE_CHILDREN would report the maximum over all children). It is
started by a small trampoline process, not forked from the benchmark itself:
Linux keeps a process's high-water RSS across execve, so a command forked
straight from a benchmark that holds a large input in memory would report at
least the benchmark's own size (seen: 212 MB for a 1.4 KB zip).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
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


# Forks and execs the command from a process of a few MB, waits for it, and writes its
# wall time (timed from just before the fork, so the trampoline's own start is not counted),
# peak RSS (KiB) and exit status to the file descriptor given as its first argument.
TRAMPOLINE = """
import os, sys, time
report = int(sys.argv[1])
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(report)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
os.write(report, f"{elapsed} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}".encode())
"""


def run_once(cmd: Sequence[str], *, env: dict | None = None, cwd: str | None = None, capped: bool = True) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, and exit code of one run (output discarded). `capped=False`
    for runtimes that reserve more address space than they use (node's V8 fails under the cap)."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-S", "-c", TRAMPOLINE, str(write_end), *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        pass_fds=(write_end,),
        preexec_fn=_cap_memory if capped else None,
    )
    os.close(write_end)
    proc.wait()
    with os.fdopen(read_end, "rb") as report:
        elapsed, maxrss_kib, code = report.read().split()
    return float(elapsed), int(maxrss_kib) / 1024, int(code)


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
