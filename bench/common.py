"""Shared helpers for the benchmarks: interleaved timing and one-line reports.

This machine is shared and noisy, so every figure is a ratio against a
baseline timed in the same run, interleaved with it, taking the median of
several repetitions. Commands run the venv's own executables, never a pyenv
shim (which adds ~75 ms to each start).
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
GRADCLI = str(BIN / "gradcli")
PYTHON = sys.executable


def run_command(argv: Sequence[str], *, stdin_path: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys of the child) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(open(stdin_path, "rb")) if stdin_path else subprocess.DEVNULL
        subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def interleaved(
    subject: Callable[[], tuple[float, float]],
    baseline: Callable[[], tuple[float, float]],
    repeats: int = 7,
    use_cpu: bool = False,
) -> tuple[float, float]:
    """Median times of subject and baseline, run alternately."""
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(subject()[1 if use_cpu else 0])
        theirs.append(baseline()[1 if use_cpu else 0])
    return statistics.median(ours), statistics.median(theirs)


def report(case: str, figure: float, baseline: float, aim: float, unit: str = "s") -> bool:
    """One line: the figure, the baseline, the ratio and whether it meets the aim."""
    ratio = figure / baseline if baseline else float("inf")
    ok = ratio <= aim
    print(
        f"{case:<58} {figure:8.3f} {unit} vs {baseline:8.3f} {unit}  "
        f"ratio {ratio:5.2f} (aim ≤ {aim:g})  {'meets' if ok else 'MISSES'}",
        flush=True,
    )
    return ok


def environment() -> str:
    return f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
