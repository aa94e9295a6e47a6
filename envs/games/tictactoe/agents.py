"""Scripted Tic-tac-toe agents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import SeededAgent
from agora.envs.games.tictactoe import rules


class MinimaxAgent(SeededAgent):
    """Perfect play: a move that keeps the game-theoretic value, chosen at random among ties."""

    name = "minimax"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The best move for the board in `info["view"]`."""
        best = rules.best_moves(tuple(info["view"]["board"]))
        return f"[{self.choice(best)}]"
