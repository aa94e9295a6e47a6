"""Liar's Dice for two LLM players: one hand of bluffing about hidden dice.

**Rules.** Each player rolls 5 dice in secret (``agora.make("games/LiarsDice-v0", dice=3)`` for 3
each, or ``dice=(5, 3)`` for unequal hands). player_0 bids first; then players alternate. A bid
"quantity face" claims that at least that many of *all* the dice on the table show that face. Each
bid must be higher than the last: a greater quantity, or the same quantity and a greater face.
Instead of bidding, a player may call the last bid a lie: all dice are shown; if the bid holds, the
bidder wins, otherwise the caller wins. No face is wild.

**Action format.** A bid as two numbers in brackets, quantity then face: ``[3 5]`` claims at least
three 5s (``[3, 5]`` and ``[bid 3 5]`` are read the same way); or ``[liar]`` to call the last bid.
The last bracketed token in the reply counts.

**Rewards.** At the end: win +1, loss -1. An invalid action gives an error observation and another
try; the third invalid action in a row forfeits (-1, the opponent +1).

**Private information.** A player sees its own dice, how many dice the opponent has, and the bids;
the opponent's dice are shown only when the hand is over.

**Scripted agents.** ``random``; ``probabilistic`` (bids and calls by the binomial probability of a
bid given its own dice).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

import numpy as np

from agora.envs.games.liars_dice import rules
from agora.errors import GameSetupError
from agora.game import TurnBasedGame
from agora.limits import find_bracketed_move

_INTS = re.compile(r"[0-9]{1,9}")
_CALLS = frozenset({"liar", "lie", "challenge", "call"})
RULES = (
    "You are playing Liar's Dice against one opponent. Each player has rolled dice in secret. Players "
    "take turns bidding on ALL the dice on the table: a bid [quantity face] claims that at least "
    "`quantity` dice show `face`. Each bid must be higher than the last one: a greater quantity, or the "
    "same quantity and a greater face. Instead of bidding you may answer [liar] to call the last bid a "
    "lie: all dice are shown; if the bid holds, the bidder wins, otherwise the caller wins. No face is "
    "wild. Answer with [quantity face], e.g. [3 5] for 'at least three 5s', or [liar]. Win +1, loss -1."
)


class LiarsDice(TurnBasedGame):
    """Liar's Dice as a text game (see the module docs for rules, actions and rewards).

    Args:
        dice: dice per player (1 to 10), or a pair giving each player's count.
        **kwargs: the shared game options (`error_allowance`, `invalid_move_penalty`, `render_mode`).
    """

    game_name = "liars_dice"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    rules = RULES
    scripted_agents = {"probabilistic": "agora.envs.games.liars_dice.agents:ProbabilisticAgent"}

    def __init__(self, dice: int | tuple[int, int] = 5, **kwargs: Any):
        self.dice_counts = _check_dice(dice)
        self.total_dice = sum(self.dice_counts)
        super().__init__(**kwargs)

    def _new_state(self, rng: np.random.Generator, options: dict[str, Any]) -> dict[str, Any]:
        dice = (rules.roll(rng, self.dice_counts[0]), rules.roll(rng, self.dice_counts[1]))
        return {"dice": dice, "bids": (), "called": False}

    def _current_player(self) -> int:
        return len(self.state["bids"]) % 2

    def _last_bid(self) -> rules.Bid | None:
        return self.state["bids"][-1] if self.state["bids"] else None

    def _legal_actions(self, player: int) -> list[str]:
        return list(_legal_strings(self._last_bid(), self.total_dice))

    def _parse_action(self, player: int, text: str) -> tuple[str | None, str | None]:
        token = find_bracketed_move(text)
        if token is None:
            return None, "No move found. Write a bid in brackets, e.g. [2 3], or [liar]."
        last = self._last_bid()
        if token in _CALLS:
            return ("[liar]", None) if last is not None else (None, "There is no bid to call yet: bid first.")
        numbers = _INTS.findall(token)
        if len(numbers) != 2:
            return None, f"[{token}] is not a move: write [quantity face], e.g. [2 3], or [liar]."
        bid = (int(numbers[0]), int(numbers[1]))
        if not 1 <= bid[1] <= rules.FACES or not 1 <= bid[0] <= self.total_dice:
            return None, f"Bid [{token}] is impossible: faces are 1-6, quantities 1-{self.total_dice}."
        if not rules.is_higher(bid, last):
            return None, f"A bid of {_bid_words(bid)} does not beat the last bid, {_bid_words(last)}."
        return f"[{bid[0]} {bid[1]}]", None

    def _apply(self, player: int, move: str) -> None:
        if move == "[liar]":
            self.state = {**self.state, "called": True}
            return
        quantity, face = move[1:-1].split()
        self.state = {**self.state, "bids": (*self.state["bids"], (int(quantity), int(face)))}

    def _outcome(self) -> list[float] | None:
        if not self.state["called"]:
            return None
        bidder = (len(self.state["bids"]) - 1) % 2
        won = rules.challenge_winner(self.state["dice"], self._last_bid(), bidder)
        return [1.0, -1.0] if won == 0 else [-1.0, 1.0]

    def _render(self, player: int) -> str:
        s = self.state
        lines = [_head(player, s["dice"][player], self.dice_counts[1 - player]), _describe_bids(s["bids"])]
        if self.outcome is not None:
            lines.extend(self._result_lines(player))
        elif self._current_player() == player:
            lines.append(self._prompt())
        else:
            lines.append("Waiting for the opponent.")
        return "\n".join(lines)

    def _prompt(self) -> str:
        last = self._last_bid()
        if last is None:
            return "Your move: make the first bid, [quantity face], e.g. [1 6] or [2 3]."
        legal = _legal_strings(last, self.total_dice)
        lowest = ", ".join(legal[:3])
        raises = f"Raise with a higher bid (lowest: {lowest})" if len(legal) > 1 else "No raise is left"
        return f"Your move. {raises}, or call the bid a lie with [liar]."

    def _result_lines(self, player: int) -> list[str]:
        s, lines = self.state, []
        if s["called"]:
            bid, dice = self._last_bid(), s["dice"]
            shown = rules.count(dice[0] + dice[1], bid[1])
            verdict = "holds" if shown >= bid[0] else "fails"
            theirs = " ".join(map(str, dice[1 - player]))
            lines.append(
                f"The last bid was called. The opponent's dice: {theirs}. "
                f"There are {shown} {bid[1]}s on the table: the bid {verdict}."
            )
        lines.append(f"Game over. You {'won' if self.outcome[player] > 0 else 'lost'}.")
        return lines

    def _view(self, player: int) -> dict[str, Any]:
        s = self.state
        view = {
            "dice": list(s["dice"][player]),
            "opponent_dice": self.dice_counts[1 - player],
            "bids": [list(b) for b in s["bids"]],
            "player": player,
        }
        if self.outcome is not None and s["called"]:
            view["revealed"] = list(s["dice"][1 - player])
        return view

    def _state_key(self, player: int) -> Hashable:
        return (self.state["dice"][player], self.state["bids"], self.state["called"])

    def _private_info(self, player: int) -> Hashable:
        return self.state["dice"][player]


def _check_dice(dice: int | tuple[int, int]) -> tuple[int, int]:
    counts = (dice, dice) if isinstance(dice, int) else tuple(dice) if isinstance(dice, (list, tuple)) else ()
    if len(counts) != 2 or not all(isinstance(n, int) and 1 <= n <= 10 for n in counts):
        raise GameSetupError(f"dice must be 1 to 10 per player, or a pair, e.g. 5 or (5, 3); got {dice!r}.")
    return counts


def _bid_words(bid: rules.Bid | None) -> str:
    return "none" if bid is None else f"{bid[0]} x {bid[1]}"


@lru_cache(maxsize=4096)
def _head(player: int, dice: rules.Dice, hidden: int) -> str:
    return (
        f"You are player {player}. Your dice: {' '.join(map(str, dice))}. "
        f"The opponent has {hidden} hidden dice ({len(dice) + hidden} in all)."
    )


@lru_cache(maxsize=4096)
def _legal_strings(last: rules.Bid | None, total: int) -> tuple[str, ...]:
    calls = () if last is None else ("[liar]",)
    return tuple(f"[{q} {f}]" for q, f in rules.legal_bids(last, total)) + calls


@lru_cache(maxsize=4096)
def _describe_bids(bids: tuple[rules.Bid, ...]) -> str:
    if not bids:
        return "No bids yet."
    said = ", ".join(f"player {i % 2} bid {_bid_words(b)}" for i, b in enumerate(bids))
    return f"Bids so far: {said}. Current bid: at least {bids[-1][0]} dice showing {bids[-1][1]}."
