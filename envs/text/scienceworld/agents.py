"""Scripted agents of text/ScienceWorld: ``oracle`` plays the simulator's own gold action sequence.

An agent never holds the env, so the oracle asks a simulator of its own for the gold sequence of the
episode's ``info["task"]``, ``info["variation"]`` and ``info["simplifications"]`` (ScienceWorld's
``load(..., generateGoldPath=True)``): one JVM per process, shared by every oracle, started on first
use and stopped at exit (or by `close_gold_simulator`). A variation's world is deterministic, so the
sequence reaches the full score in the env's simulator too. Sequences are cached per process; a gold
path takes 0.2 s to 20 s to compute (the genetics tasks are the slowest).
"""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Mapping
from typing import Any

from agora.agent import Agent
from agora.envs.text.scienceworld.simulator import Simulator

_LOCK = threading.Lock()
_SIMULATOR = Simulator()


@functools.lru_cache(maxsize=512)
def gold_actions(task: str, variation: int, simplifications: str = "") -> tuple[str, ...]:
    """ScienceWorld's gold action sequence for a task variation (computed by the shared gold simulator)."""
    with _LOCK:
        upstream = _SIMULATOR.start()
        _SIMULATOR.loaded = None  # loaded with the gold path: never reused for play
        upstream.load(task, variation, simplifications, generateGoldPath=True)
        return tuple(str(action) for action in upstream.get_gold_action_sequence())


def close_gold_simulator() -> None:
    """Stops the shared gold simulator's JVM (a later `gold_actions` call starts a fresh one)."""
    with _LOCK:
        _SIMULATOR.close()


atexit.register(close_gold_simulator)


class OracleAgent(Agent):
    """Plays the gold action sequence of the episode's task variation, then ``look around``."""

    name = "oracle"

    def __init__(self, seed: int | None = None):
        self._plan: list[str] = []
        self._episode: tuple[Any, ...] | None = None

    def reset(self, seed: int | None = None) -> None:
        """Forgets the last episode's plan."""
        self._plan, self._episode = [], None

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The next gold action (the plan is fetched on an episode's first turn: ``info["moves"] == 0``)."""
        episode = (info.get("task"), info.get("variation"), info.get("simplifications", ""))
        if episode[0] is not None and (self._episode != episode or info.get("moves") == 0):
            self._episode = episode
            self._plan = list(gold_actions(str(episode[0]), int(episode[1]), str(episode[2])))
        return self._plan.pop(0) if self._plan else "look around"
