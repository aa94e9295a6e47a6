"""Envs served by `agora serve`, used from anywhere (needs ``pip install 'agora[server]'``).

>>> import agora.remote
>>> env = agora.remote.make("ws://127.0.0.1:8000", "games/TicTacToe-v0", opponent="random")  # doctest: +SKIP
>>> obs, info = env.reset(seed=0)  # doctest: +SKIP

`make` gives a real `gymnasium.Env` (`RemoteEnv`), or a PettingZoo `AECEnv` (`RemoteGame`) for a
game made without an opponent. `env_factory` gives the zero-argument factory the rollout engine
takes (``agora.rollout.run(agora.remote.env_factory(urls, env_id), agents, ...)``), spreading new
envs over several servers. `AsyncRemoteEnv` is the asyncio client.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from agora.remote.aio import AsyncConnection, AsyncRemoteEnv
from agora.remote.client import Connection
from agora.remote.env import RemoteEnv, RemoteGame, RemoteSpec, make


def env_factory(
    urls: str | Sequence[str], env_id: str, token: str | None = None, **kwargs: Any
) -> Callable[[], RemoteEnv | RemoteGame]:
    """A factory of remote envs for the rollout engine: each call opens a session on the next server."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError("env_factory needs at least one server URL")
    turn = itertools.cycle(urls)

    def factory() -> RemoteEnv | RemoteGame:
        return make(next(turn), env_id, token, **kwargs)

    factory.env_id = env_id  # type: ignore[attr-defined]  # the engine names records after it
    return factory


__all__ = [
    "AsyncConnection",
    "AsyncRemoteEnv",
    "Connection",
    "RemoteEnv",
    "RemoteGame",
    "RemoteSpec",
    "env_factory",
    "make",
]
