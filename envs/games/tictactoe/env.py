"""Tic-tac-toe for two LLM players.

**Rules.** Players take turns marking an empty cell of a 3x3 grid; X (player_0) moves first.
Three marks in a row, column or diagonal win; a full board without a line is a draw.

**Action format.** The cell number in brackets, anywhere in the reply: ``[4]`` marks the centre.
Cells are numbered 0-8 row by row. The last bracketed token in the reply counts.

**Rewards.** At the end only: win +1, loss -1, draw 0 for both. An invalid move gives an error
observation and another try; the third invalid move in a row forfeits (-1, the opponent +1).

**Scripted agents.** ``random``; ``minimax`` (perfect play, ties broken at random).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from typing import Any

import numpy as np

from agora.envs.games.tictactoe import rules
from agora.game import TurnBasedGame

MARKS = (" ", "X", "O")
_MOVE_STRINGS = tuple(f"[{i}]" for i in range(9))
RULES = (
    "You are playing Tic-tac-toe on a 3x3 grid. Players take turns marking an empty cell; X moves "
    "first. Three of your marks in a row, column or diagonal wins; a full board without a line is a "
    "draw. Cells are numbered 0-8 row by row:\n 0 | 1 | 2\n 3 | 4 | 5\n 6 | 7 | 8\n"
    "Answer with the number of an empty cell in brackets, e.g. [4]. Win +1, loss -1, draw 0."
)


class TicTacToe(TurnBasedGame):
    """Tic-tac-toe as a text game (see the module docs for rules, actions and rewards)."""

    game_name = "tictactoe"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    chance_at_reset = False
    rules = RULES
    scripted_agents = {"minimax": "agora.envs.games.tictactoe.agents:MinimaxAgent"}

    def _new_state(self, rng: np.random.Generator | None, options: dict[str, Any]) -> rules.Board:
        return rules.EMPTY

    def _current_player(self) -> int:
        return rules.to_move(self.state)

    def _legal_actions(self, player: int) -> list[str]:
        return [_MOVE_STRINGS[m] for m in rules.legal_moves(self.state)]

    def _apply(self, player: int, move: str) -> None:
        self.state = rules.play(self.state, int(move[1:-1]))

    def _outcome(self) -> list[float] | None:
        won = rules.winner(self.state)
        if won is not None:
            return [1.0, -1.0] if won == 0 else [-1.0, 1.0]
        return [0.0, 0.0] if 0 not in self.state else None

    def _render(self, player: int) -> str:
        return render(self.state, player, None if self.outcome is None else self.outcome[player])

    def _view(self, player: int) -> dict[str, Any]:
        return {"board": list(self.state), "mark": player + 1}

    def _state_key(self, player: int) -> Hashable:
        return self.state  # perfect information: the board determines the player to move


@cache
def render(board: rules.Board, player: int, outcome: float | None) -> str:
    """The text `player` sees for `board` (and its final reward once the game is over), cached per board."""
    rows = [
        " | ".join(MARKS[board[3 * r + c]] if board[3 * r + c] else str(3 * r + c) for c in range(3)) for r in range(3)
    ]
    grid = "\n---+---+---\n".join(f" {row}" for row in rows)
    head = f"You are {MARKS[player + 1]}. Board (free cells show their number):\n{grid}\n"
    if outcome is not None:
        result = "You won." if outcome > 0 else "You lost." if outcome < 0 else "Draw."
        return f"{head}Game over. {result}"
    if rules.to_move(board) != player:
        return f"{head}Waiting for {MARKS[2 - player]} to move."
    return f"{head}Your move. Legal moves: {', '.join(_MOVE_STRINGS[m] for m in rules.legal_moves(board))}."
