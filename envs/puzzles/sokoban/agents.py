"""Scripted agents of puzzles/Sokoban: ``oracle`` plays a shortest solution of the board it is shown.

The oracle reads the board from ``info["state_key"]`` (text and pixel modes alike), solves it with the
exact A* solver, and replays the plan while the board matches what the plan expects; after anything
unexpected (another agent moved, a reset) it solves again from the board it sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import Agent
from agora.envs.puzzles.sokoban.rules import move, parse, render
from agora.envs.puzzles.sokoban.solver import solve


class OracleAgent(Agent):
    """Plays a shortest solution (see the module docs); answers ``Up`` on a board it cannot solve."""

    name = "oracle"

    def __init__(self, seed: int | None = None):
        self._plan: list[str] = []
        self._expected: str | None = None

    def reset(self, seed: int | None = None) -> None:
        """Forgets the last plan."""
        self._plan, self._expected = [], None

    def act(self, observation: Any, info: Mapping[str, Any]) -> str:
        """The next move of a shortest solution from the board in ``info["state_key"]``."""
        board = str(info["state_key"])
        room, state = parse(board)
        if board != self._expected or not self._plan:
            self._plan = solve(room, state) or ["Up"]
        direction = self._plan.pop(0)
        result = move(room, state, direction)
        self._expected = render(room, result[0]) if result else board
        return f"<answer>{direction}</answer>"
