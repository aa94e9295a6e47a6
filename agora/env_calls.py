"""Where env calls run in an event loop: inline on the loop, or in a thread pool.

The rollout engine and `agora serve` both drive many envs from one asyncio loop. A call sent to a
thread pool costs tens of microseconds of GIL and wake-up traffic (more on a loaded machine, where
the GIL hand-off waits up to the switch interval); for an env whose calls take less than that,
offloading costs more than it protects. A call that blocks, though, stalls every other episode or
session on the loop. `InlinePolicy` decides per key (an env id, or an env id's resets) from the
calls' own durations, timed where they ran, never including the wait for a free thread.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import threading
import time
from collections.abc import Callable
from typing import Any


class InlinePolicy:
    """Decides per key whether calls run inline on the event loop (see the module docs).

    Measured keys run inline while the median of their last `window` call times is under
    `inline_below_s` and at most `max_slow` of those calls took over `never_inline_above_s` (a
    preempted call on a loaded machine does not count against a key; one that blocks more often goes
    back to the pool). ``inline_below_s = 0`` keeps every measured key in the pool.

    Keys marked in memory (`mark_in_memory`: pure-Python rules, e.g. agora's turn-based games) run
    inline from their first call, without being measured first; one that proves otherwise (an LLM or
    HTTP opponent inside the env) goes to the pool for good after `in_memory_strikes` consecutive
    calls over `never_inline_above_s` (one is not enough: a first call may import modules).

    Thread-safe: pool threads and the loop record durations of the same keys.
    """

    def __init__(
        self,
        inline_below_s: float = 0.0005,
        window: int = 32,
        never_inline_above_s: float = 0.02,
        max_slow: int = 2,
        in_memory_strikes: int = 3,
    ):
        self.inline_below_s = inline_below_s
        self.window = window
        self.never_inline_above_s = never_inline_above_s
        self.max_slow = max_slow
        self.in_memory_strikes = in_memory_strikes
        self._recent: dict[str, collections.deque[float]] = {}
        self._counts: dict[str, list[int]] = {}  # key -> [calls under inline_below_s, over never_inline_above_s]
        self._strikes: dict[str, int] = {}  # in-memory key -> consecutive slow calls
        self._inline: dict[str, bool] = {}
        self._lock = threading.Lock()

    def mark_in_memory(self, key: str) -> None:
        """Declares `key` an in-memory env: inline from its first call until calls prove it slow."""
        with self._lock:
            if key not in self._strikes:
                self._strikes[key] = 0
                self._inline[key] = True

    def inline(self, key: str) -> bool:
        """Whether the next call of `key` may run on the event loop."""
        return self._inline.get(key, False)

    def observe(self, key: str, took_s: float) -> None:
        """Records one call's duration and decides `inline` for `key` again.

        The median of the window is under `inline_below_s` exactly when more than half of its calls
        are, so two counts kept as calls enter and leave the window decide without sorting.
        """
        slow = took_s > self.never_inline_above_s
        if not slow and self._strikes.get(key) == 0:  # the hot case, an in-memory key staying fast: no change
            return
        with self._lock:
            strikes = self._strikes.get(key)
            if strikes is not None:  # in memory
                strikes = self._strikes[key] = strikes + 1 if slow else 0
                if strikes >= self.in_memory_strikes:
                    self._inline[key] = False  # and it stays marked: no measured window brings it back
                return
            recent = self._recent.get(key)
            if recent is None:
                recent = self._recent[key] = collections.deque(maxlen=self.window)
                self._counts[key] = [0, 0]
            counts = self._counts[key]
            if len(recent) == self.window:
                gone = recent[0]
                counts[0] -= gone < self.inline_below_s
                counts[1] -= gone > self.never_inline_above_s
            recent.append(took_s)
            counts[0] += took_s < self.inline_below_s
            counts[1] += slow
            full = len(recent) == self.window
            self._inline[key] = full and counts[1] <= self.max_slow and counts[0] > self.window // 2

    def timed(self, key: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Calls ``fn(*args, **kwargs)`` here and records its duration under `key`."""
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.observe(key, time.perf_counter() - start)

    async def run(
        self, executor: concurrent.futures.Executor, key: str | None, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Runs an env call inline when `key` may, else in `executor`, timing it under `key` either way.

        With `key` None the call always goes to the pool and is not timed (makes, closes: calls whose
        duration says nothing about the steps).
        """
        if key is None:
            return await asyncio.get_running_loop().run_in_executor(executor, functools.partial(fn, *args, **kwargs))
        if self._inline.get(key, False):
            return self.timed(key, fn, *args, **kwargs)
        call = functools.partial(self.timed, key, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(executor, call)
