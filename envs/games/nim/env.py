"""Nim for two LLM players (normal play), with configurable piles.

**Rules.** Several piles of objects (default 3, 4 and 5; ``agora.make("games/Nim-v0",
piles=(1, 3, 5, 7))`` for others). Players alternately take one or more objects from a single
pile; player_0 moves first. Whoever takes the last object wins.

**Action format.** The pile number (from 0) and how many to take, in brackets: ``[2 3]`` takes 3
objects from pile 2. ``[2, 3]`` and ``[pile 2 take 3]`` are read the same way. The last bracketed
token in the reply counts.

**Rewards.** At the end only: win +1, loss -1. An invalid move gives an error observation and
another try; the third invalid move in a row forfeits (-1, the opponent +1).

**Scripted agents.** ``random``; ``nimsum`` (perfect play by the nim-sum: it never loses a
position it can win).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from agora.envs.games.nim import rules
from agora.errors import GameSetupError
from agora.game import TurnBasedGame
from agora.limits import find_bracketed_move

DEFAULT_PILES = (3, 4, 5)
_INTS = re.compile(r"[0-9]{1,9}")
RULES = (
    "You are playing Nim. There are several piles of objects. Players take turns; on your turn you "
    "take one or more objects from a single pile. Whoever takes the last object wins. Answer with the "
    "pile number (piles are numbered from 0) and how many objects to take, in brackets: [2 3] takes 3 "
    "objects from pile 2. Win +1, loss -1."
)


class Nim(TurnBasedGame):
    """Nim as a text game (see the module docs for rules, actions and rewards).

    Args:
        piles: the starting pile sizes (1 to 10 piles of 1 to 100 objects).
        **kwargs: the shared game options (`error_allowance`, `invalid_move_penalty`, `render_mode`).
    """

    game_name = "nim"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    chance_at_reset = False
    rules = RULES
    scripted_agents = {"nimsum": "agora.envs.games.nim.agents:NimSumAgent"}

    def __init__(self, piles: Sequence[int] = DEFAULT_PILES, **kwargs: Any):
        self.start = _check_piles(piles)
        super().__init__(**kwargs)

    def _new_state(self, rng: np.random.Generator | None, options: dict[str, Any]) -> dict[str, Any]:
        return {"piles": self.start, "moves": 0}

    def _current_player(self) -> int:
        return self.state["moves"] % 2

    def _legal_actions(self, player: int) -> list[str]:
        return list(_legal_strings(self.state["piles"]))

    def _parse_action(self, player: int, text: str) -> tuple[str | None, str | None]:
        piles = self.state["piles"]
        token = find_bracketed_move(text)
        if token is None:
            return None, "No move found. Write the pile and the count in brackets, e.g. [0 1]."
        numbers = _INTS.findall(token)
        if len(numbers) != 2:
            return None, f"[{token}] is not a move: write two numbers, the pile and the count, e.g. [0 1]."
        pile, count = int(numbers[0]), int(numbers[1])
        if not 0 <= pile < len(piles):
            return None, f"There is no pile {pile}; piles are numbered 0 to {len(piles) - 1}."
        if not 1 <= count <= piles[pile]:
            return None, f"You cannot take {count} from pile {pile}, which holds {piles[pile]}."
        return f"[{pile} {count}]", None

    def _apply(self, player: int, move: str) -> None:
        pile, count = move[1:-1].split()
        self.state = {
            "piles": rules.play(self.state["piles"], (int(pile), int(count))),
            "moves": self.state["moves"] + 1,
        }

    def _outcome(self) -> list[float] | None:
        if not rules.is_over(self.state["piles"]):
            return None
        return [1.0, -1.0] if self.state["moves"] % 2 == 1 else [-1.0, 1.0]

    def _render(self, player: int) -> str:
        head = f"You are player {player}.\n{_describe_piles(self.state['piles'])}"
        if self.outcome is not None:
            return f"{head}\nGame over. You {'won' if self.outcome[player] > 0 else 'lost'}."
        if self._current_player() != player:
            return f"{head}\nWaiting for the opponent."
        return f"{head}\nYour move: write [pile count], e.g. {_legal_strings(self.state['piles'])[0]}."

    def _view(self, player: int) -> dict[str, Any]:
        return {"piles": list(self.state["piles"]), "player": player}

    def _state_key(self, player: int) -> Hashable:
        return (self.state["piles"], self._current_player())


def _check_piles(piles: Sequence[int]) -> rules.Piles:
    try:
        start = tuple(int(n) for n in piles)
    except (TypeError, ValueError) as e:
        raise GameSetupError(f"piles must be a sequence of ints, e.g. (3, 4, 5); got {piles!r}.") from e
    if not 1 <= len(start) <= 10 or not all(1 <= n <= 100 for n in start):
        raise GameSetupError(f"piles must be 1 to 10 piles of 1 to 100 each, e.g. (3, 4, 5); got {piles!r}.")
    return start


@lru_cache(maxsize=4096)
def _legal_strings(piles: rules.Piles) -> tuple[str, ...]:
    return tuple(f"[{i} {k}]" for i, k in rules.legal_moves(piles))


@lru_cache(maxsize=4096)
def _describe_piles(piles: rules.Piles) -> str:
    return "Piles:\n" + "\n".join(f"  pile {i}: {n} {'|' * n}".rstrip() for i, n in enumerate(piles))
