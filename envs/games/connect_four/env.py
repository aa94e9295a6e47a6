"""Connect Four for two LLM players.

**Rules.** A grid of 6 rows and 7 columns, standing upright. Players take turns dropping a stone
into a column; it falls to the lowest empty cell. X (player_0) moves first. Four of your stones in a
row, column or diagonal win; a full grid without four in a row is a draw.

**Action format.** The column number (0-6, left to right) in brackets, anywhere in the reply:
``[3]`` drops a stone in the middle column. The last bracketed token in the reply counts.

**Rewards.** At the end only: win +1, loss -1, draw 0 for both. An invalid move gives an error
observation and another try; the third invalid move in a row forfeits (-1, the opponent +1).

**Scripted agents.** ``random``; ``alphabeta`` (depth-limited alpha-beta search, ``depth=5`` plies
by default, with a threat-counting heuristic; a few milliseconds per move).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any

import numpy as np

from agora.envs.games.connect_four import rules
from agora.game import TurnBasedGame

MARKS = (".", "X", "O")
_MOVE_STRINGS = tuple(f"[{c}]" for c in range(rules.COLS))
RULES = (
    "You are playing Connect Four on an upright grid of 6 rows and 7 columns. Players take turns "
    "dropping a stone into a column; it falls to the lowest empty cell. X moves first. Four of your "
    "stones in a row, column or diagonal wins; a full grid without four in a row is a draw. Columns "
    "are numbered 0-6 from left to right. Answer with a column that is not full, in brackets, e.g. [3]. "
    "Win +1, loss -1, draw 0."
)


class ConnectFour(TurnBasedGame):
    """Connect Four as a text game (see the module docs for rules, actions and rewards)."""

    game_name = "connect_four"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    _grid: tuple[str, ...] = ()  # the rows as text, set by `_new_state` and updated one cell per move
    chance_at_reset = False
    rules = RULES
    scripted_agents = {"alphabeta": "agora.envs.games.connect_four.agents:AlphaBetaAgent"}

    def _new_state(self, rng: np.random.Generator | None, options: dict[str, Any]) -> rules.Board:
        self._grid = _EMPTY_GRID
        return rules.EMPTY

    def _current_player(self) -> int:
        return rules.to_move(self.state)

    def _legal_actions(self, player: int) -> list[str]:
        return list(_legal_strings(self.state))

    def _apply(self, player: int, move: str) -> None:
        col = int(move[1:-1])
        row = rules.height(self.state[0] | self.state[1], col)
        self.state = rules.play(self.state, col)
        line = self._grid[rules.ROWS - 1 - row]  # the grid lists the top row first
        line = line[:col] + MARKS[player + 1] + line[col + 1 :]
        self._grid = (*self._grid[: rules.ROWS - 1 - row], line, *self._grid[rules.ROWS - row :])

    def _outcome(self) -> list[float] | None:
        won = rules.winner(self.state)
        if won is not None:
            return [1.0, -1.0] if won == 0 else [-1.0, 1.0]
        return [0.0, 0.0] if rules.is_full(self.state) else None

    def _render(self, player: int) -> str:
        head = f"You are {MARKS[player + 1]}.\n{grid_text(self._grid)}\n"
        if self.outcome is not None:
            result = {1.0: "You won.", -1.0: "You lost.", 0.0: "Draw."}[self.outcome[player]]
            return f"{head}Game over. {result}"
        if rules.to_move(self.state) != player:
            return f"{head}Waiting for {MARKS[2 - player]} to move."
        return f"{head}Your move. Legal moves: {', '.join(_legal_strings(self.state))}."

    def _view(self, player: int) -> dict[str, Any]:
        return {"bitboards": list(self.state), "grid": self._grid, "mark": player + 1}

    def _state_key(self, player: int) -> Hashable:
        return self.state  # perfect information: the board determines the player to move


@lru_cache(maxsize=8192)
def _legal_strings(board: rules.Board) -> tuple[str, ...]:
    return tuple(_MOVE_STRINGS[c] for c in rules.legal_moves(board))


def grid_rows(board: rules.Board) -> tuple[str, ...]:
    """The grid rows top to bottom, one character per cell (``.``, ``X``, ``O``)."""
    return tuple(
        "".join(MARKS[rules.cell(board, r, c)] for c in range(rules.COLS)) for r in reversed(range(rules.ROWS))
    )


_EMPTY_GRID = grid_rows(rules.EMPTY)
_COLUMN_NUMBERS = " " + " ".join(str(c) for c in range(rules.COLS))


@lru_cache(maxsize=8192)
def grid_text(rows: tuple[str, ...]) -> str:
    """The grid as text, top row first, with the column numbers underneath."""
    return "\n".join(["|" + " ".join(row) + "|" for row in rows] + [_COLUMN_NUMBERS])
