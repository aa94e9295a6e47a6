"""Paces Python's cyclic garbage collector while the rollout engine runs episodes.

Every turn allocates a few dozen container objects (infos, records, futures), and a run keeps its
finished episodes, so the live heap grows with the run. With the default thresholds (700, 10, 10)
the collector runs a young collection every few turns and now and then an older one: at 1,024
concurrent episodes that was about 30% of the engine's CPU time. `paced_gc` raises the thresholds
for the length of a run (collections are rarer, each one finds the same garbage) and restores them
after; nested or concurrent runs in one process (on one loop or on several threads) restore them
once, when the last one ends. It changes when cycles are freed, never what a run plays or records.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

RUN_THRESHOLDS = (100_000, 20, 20)
"""Collector thresholds during a run (young generation, then the two older ones); lower ones are kept."""

_lock = threading.Lock()  # runs on loops in other threads share the counter
_active = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def paced_gc(thresholds: tuple[int, int, int] = RUN_THRESHOLDS) -> Iterator[None]:
    """Raises the collector's thresholds to at least `thresholds` inside the block (see the module docs)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*(max(now, run) for now, run in zip(_saved, thresholds, strict=True)))
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
