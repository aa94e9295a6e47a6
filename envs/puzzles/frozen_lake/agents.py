"""Scripted agents of puzzles/FrozenLake: ``oracle`` plays optimally from the board it is shown.

It reads the board from ``info["state_key"]``. On non-slippery ice it walks a shortest path (which
always exists: Gymnasium's maps are valid); on slippery ice it follows the policy that maximises the
chance of reaching the goal, computed by value iteration on Gymnasium's own transition table for the
map (``FrozenLakeEnv(desc=...).P``), cached per map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import Agent
from agora.envs.puzzles.frozen_lake.rules import parse, shortest_path, slippery_optimum


class OracleAgent(Agent):
    """Plays optimally (see the module docs); pass ``slippery=True`` for slippery ice."""

    name = "oracle"

    def __init__(self, seed: int | None = None, slippery: bool | None = None):
        self.slippery = slippery

    def act(self, observation: Any, info: Mapping[str, Any]) -> str:
        """The optimal move from the board in ``info["state_key"]``."""
        desc, position = parse(str(info["state_key"]))
        slippery = self.slippery if self.slippery is not None else "success_probability" in info
        if not slippery:
            path = shortest_path(desc, position)
            return f"<answer>{path[0] if path else 'Up'}</answer>"
        return f"<answer>{slippery_optimum(tuple(desc))[0][position]}</answer>"
