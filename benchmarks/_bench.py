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
