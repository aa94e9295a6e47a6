"""Scripted Nim agents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.envs.games.nim import rules

from agora.agent import SeededAgent


def move_text(move: rules.Move) -> str:
    """The action string of a move: ``[pile count]``."""
    return f"[{move[0]} {move[1]}]"


class NimSumAgent(SeededAgent):
    """Perfect play: restores a nim-sum of 0 when it can (ties at random), else takes one object."""

    name = "nimsum"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """A winning move for the piles in `info["view"]`, or a small random stall."""
        piles = tuple(info["view"]["piles"])
        winning = rules.winning_moves(piles)
        if winning:
            return move_text(self.choice(winning))
        return move_text((self.choice([i for i, n in enumerate(piles) if n]), 1))
