"""`ProcessWide`: lazily built objects shared by a whole process (browser pool, web server, Docker pools).

Each is made on first use under a lock (env threads may ask at the same time), kept per key, and
closed at interpreter exit. A forked child (Gymnasium's async vector envs, multiprocessing's fork)
starts with none: what it inherited (warm containers with open connections, a browser) belongs to
the parent, so the child makes its own and never touches or closes the parent's.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessWide(Generic[T]):
    """Objects made on first use, one per key, shared by the process and closed at exit.

    Args:
        close: how to close one object (at exit and in `close_all`); None to leave them open.
    """

    def __init__(self, close: Callable[[T], None] | None = None):
        self._close = close
        self._items: dict[Hashable, T] = {}
        self.lock = threading.Lock()
        """Held while an object is made; take it to change a shared object's state safely."""
        atexit.register(self.close_all)
        os.register_at_fork(after_in_child=self._forget_parents)

    def _forget_parents(self) -> None:
        """In a forked child: drop the parent's objects unclosed and take a fresh lock (the old one may be held)."""
        self.lock = threading.Lock()
        self._items = {}

    def get(self, make: Callable[[], T], key: Hashable = None) -> T:
        """The object for `key`, made by `make()` the first time."""
        with self.lock:
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = make()
            return item

    def close_all(self) -> None:
        """Closes and forgets every object (also run at interpreter exit)."""
        with self.lock:
            items = list(self._items.values())
            self._items.clear()
        if self._close is not None:
            for item in items:
                self._close(item)
