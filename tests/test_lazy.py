"""`ProcessWide`: the one helper behind the lazy process-wide objects (Docker pools, browser pool, web server, shop)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from agora.lazy import ProcessWide


def _together(ask: Callable[[], object], threads: int = 8) -> list[object]:
    """What `ask()` returns in each of `threads` threads released at the same moment."""
    start = threading.Barrier(threads)

    def one(_: int) -> object:
        start.wait()
        return ask()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(threads)))


def test_threads_asking_at_once_share_one_object_per_key():
    made: list[object] = []

    def make() -> object:
        time.sleep(0.02)  # a slow start: every other thread asks meanwhile
        made.append(object())
        return made[-1]

    wide: ProcessWide[object] = ProcessWide()
    got = _together(lambda: wide.get(make, key="a"))
    assert len(made) == 1 and all(g is made[0] for g in got)
    other = wide.get(make, key="b")
    assert len(made) == 2 and other is made[1] and wide.get(make, key="a") is made[0]


def test_close_all_closes_each_object_once_and_the_next_use_makes_a_new_one():
    closed: list[str] = []
    wide: ProcessWide[list[str]] = ProcessWide(close=lambda item: closed.append(item[0]))
    first = wide.get(lambda: ["x"], key=1)
    wide.get(lambda: ["y"], key=2)
    wide.close_all()
    wide.close_all()
    assert sorted(closed) == ["x", "y"]
    assert wide.get(lambda: ["z"], key=1) is not first


def test_every_process_wide_object_uses_the_helper():
    from agora.envs.web import browser, server
    from agora.envs.web.shop import env as shop
    from agora.sandbox import docker_backend

    for wide in (docker_backend._POOLS, browser._POOL, server._SERVER, shop._APP):
        assert isinstance(wide, ProcessWide)


def test_the_shop_is_made_and_mounted_once_when_envs_start_together(monkeypatch):
    from agora.envs.web.server import get_server
    from agora.envs.web.shop import env as shop

    original, made = shop.shop_app(), []

    class SlowShop(shop.ShopApp):  # the real app, slow to start: every other thread asks meanwhile
        def __init__(self) -> None:
            time.sleep(0.02)
            super().__init__()
            made.append(self)

    monkeypatch.setattr(shop, "ShopApp", SlowShop)
    monkeypatch.setattr(shop, "_APP", ProcessWide())
    try:
        got = _together(shop.shop_app)
        assert len(made) == 1 and all(app is made[0] for app in got)
        assert get_server()._apps["shop"] is got[0]
    finally:
        get_server().mount_app("shop", original)  # later tests of this process keep the first shop


def test_a_forked_child_makes_its_own_objects_and_never_closes_the_parents():
    """Async vector envs fork: a child that reused the parent's warm sandboxes broke their protocol."""
    import os
    import signal

    closed = []
    wide = ProcessWide(close=closed.append)
    parents = wide.get(lambda: ["parent's"])
    read, write = os.pipe()
    with wide.lock:  # held by the parent at fork time: the child must not deadlock on it
        pid = os.fork()
        if pid == 0:  # the child
            try:
                signal.alarm(10)  # a deadlock on the inherited lock kills the child: the parent reads nothing
                mine = wide.get(lambda: ["child's"])
                wide.close_all()
                ok = mine == ["child's"] and mine is not parents and closed == [["child's"]]
                os.write(write, b"1" if ok else b"0")
            finally:
                os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert wide.get(lambda: ["new"]) is parents and closed == []  # the parent's object is untouched
