"""Helpers every benchmark script shares: the load average line, timing one call, percentiles, threads.

The scripts run as ``python benchmarks/NAME.py``, so this folder is on ``sys.path`` and they import it
as ``from _bench import ...``.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to print beside every figure measured on a shared machine."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """Calls ``fn(*args, **kwargs)``; returns its result and the wall seconds it took."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def p50_p95(samples: Sequence[float]) -> tuple[float, float]:
    """The median and the 95th percentile (the nearest rank below) of `samples`, in their unit."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run_threads(threads: Sequence[threading.Thread]) -> float:
    """Starts every thread, waits for all of them, and returns the wall seconds from first start to last join."""
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def table_rows(table: Any) -> list[dict[str, Any]]:
    """The rows of a rich `Table` as dicts from column header to cell text, each with the table's title as
    ``"table"`` (for scripts whose parts return rich tables)."""
    columns = [(str(column.header), list(column.cells)) for column in table.columns]
    count = max((len(cells) for _, cells in columns), default=0)
    title = str(table.title or "")
    return [{"table": title, **{h: str(c[i]) if i < len(c) else "" for h, c in columns}} for i in range(count)]


RESULTS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.jsonl")
"""Every benchmark appends its figures here (one JSON object a line); the docs show the latest of each."""


def cpu_info() -> dict[str, Any]:
    """The host CPU: model name, core count, the flags that decide bf16 speed (AVX2, AVX-512 BF16, AMX), torch's
    CPU capability and the precision ``auto`` picks there (`agora.hardware`).

    Speed differences between runs that look like "phases" of the machine may be different host CPUs:
    compare only rows with the same ``model`` and flags.
    """
    from agora.hardware import choose_precision, cpu_features

    cpu = cpu_features()
    return {
        "model": cpu.model,
        "cores": os.cpu_count(),
        "usable_cpus": cpu.cpus,
        "flags": sorted(cpu.flags),
        "capability": cpu.capability,
        "auto_precision": choose_precision("auto", "cpu", cpu),
    }


def _git_commit() -> str:
    import subprocess

    def git(*args: str) -> str:
        folder = os.path.dirname(RESULTS_FILE)
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=10).stdout.strip()

    try:
        commit, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--untracked-files=no")
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def record(benchmark: str, rows: Sequence[dict[str, Any]], *, settings: dict[str, Any] | None = None) -> None:
    """Appends one run of a benchmark to `RESULTS_FILE`: its rows with the date, commit, CPU and load.

    Args:
        benchmark: the script's name (``"web"``, ``"rollout"``, ...): the docs group runs by it.
        rows: the figures, one dict a table row (the same keys in every row of one table).
        settings: the command-line settings the run used, so a rerun can match them.
    """
    import datetime
    import json

    entry = {
        "benchmark": benchmark,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "cpu": cpu_info(),
        "load_average": load_average(),
        "settings": settings or {},
        "rows": list(rows),
    }
    with open(RESULTS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")
