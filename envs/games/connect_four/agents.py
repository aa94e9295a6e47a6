"""Scripted Connect Four agents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.envs.games.connect_four import search

from agora.agent import SeededAgent


class AlphaBetaAgent(SeededAgent):
    """Depth-limited alpha-beta search (default 5 plies); ties between the best moves broken at random."""

    name = "alphabeta"

    def __init__(self, seed: int | None = None, depth: int = 5):
        super().__init__(seed)
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        self.depth = depth

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The best column for the board in `info["view"]`."""
        board = tuple(info["view"]["bitboards"])
        return f"[{self.choice(search.best_moves(board, self.depth))}]"
