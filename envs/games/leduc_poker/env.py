"""Leduc hold'em for two LLM players: poker with a public card, the standard benchmark after Kuhn.

**Rules.** Six cards, two each of J < Q < K. Each player antes 1 chip and gets one private card.
Two betting rounds; after the first a public card is shown. Player 0 acts first in each round.
With no bet outstanding a player may ``check`` or ``bet``; facing a bet, ``call``, ``raise`` or
``fold``. Bets and raises are 2 chips in round 1 and 4 in round 2, at most two per round (a bet and
one raise). After round 2 closes, a card that pairs the public card wins; otherwise the higher card
wins; equal ranks split the pot. A fold gives the pot to the other player.

**Action format.** The action in brackets: ``[check]``, ``[bet]``, ``[call]``, ``[raise]`` or
``[fold]``. The last bracketed token in the reply counts.

**Rewards.** At the end: the chips won or lost (from +-1 up to +-13), zero-sum. An invalid action
gives an error observation and another try; the third invalid action in a row forfeits (-1, the
opponent +1).

**Private information.** A player sees its own card, the public card once it is shown, and the
actions. The other card is shown only at a showdown, after the hand.

**Scripted agents.** ``random``; ``cfr`` (an equilibrium strategy computed by CFR+ with
``python -m agora.envs.games.leduc_poker.solve_cfr`` and shipped in ``strategy.json``; its
exploitability is 0.00014 chips per hand; player 0's value at equilibrium is -0.0856).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache, lru_cache
from typing import Any

import numpy as np

from agora.envs.games.leduc_poker import rules
from agora.game import TurnBasedGame

RULES = (
    "You are playing Leduc hold'em, a two-player poker game. The deck has six cards: two each of "
    "J < Q < K. Each player antes 1 chip and receives one private card. There are two betting rounds; "
    "after the first, one public card is shown. Player 0 acts first in each round. With no bet "
    "outstanding you may [check] or [bet]; facing a bet you may [call], [raise] or [fold]. A bet or "
    "raise is 2 chips in round 1 and 4 chips in round 2, with at most a bet and one raise per round. "
    "At the showdown a card that pairs the public card wins; otherwise the higher card wins; equal "
    "cards split the pot. Folding gives the pot to the other player. Answer with your action in "
    "brackets, e.g. [call]. Your reward is the chips you win or lose."
)


class LeducPoker(TurnBasedGame):
    """Leduc hold'em as a text game (see the module docs for rules, actions and rewards)."""

    game_name = "leduc_poker"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    rules = RULES
    scripted_agents = {"cfr": "agora.envs.games.leduc_poker.agents:CFRAgent"}

    def _new_state(self, rng: np.random.Generator, options: dict[str, Any]) -> dict[str, Any]:
        deck = rng.permutation(len(rules.DECK))[:3]
        c0, c1, public = (rules.DECK[int(i)] for i in deck)
        return {"cards": (c0, c1), "public": public, "history": ""}

    def _current_player(self) -> int:
        return rules.to_move(self.state["history"])

    def _legal_actions(self, player: int) -> list[str]:
        return list(_legal_strings(self.state["history"]))

    def _apply(self, player: int, move: str) -> None:
        self.state["history"] = rules.play(self.state["history"], move[1:-1])

    def _outcome(self) -> list[float] | None:
        s = self.state
        result = rules.payoffs(s["cards"], s["public"], s["history"])
        return None if result is None else list(result)

    def _shown_public(self) -> int | None:
        return self.state["public"] if rules.public_card_due(self.state["history"]) else None

    def _render(self, player: int) -> str:
        s = self.state
        result = None if self.outcome is None else self.outcome[player]
        shown = s["cards"][1 - player] if result is not None and _showdown(s["history"]) else None
        return _render_text(player, s["cards"][player], self._shown_public(), s["history"], result, shown)

    def _view(self, player: int) -> dict[str, Any]:
        s, public = self.state, self._shown_public()
        view = {
            "card": rules.RANKS[s["cards"][player]],
            "history": s["history"],
            "player": player,
            "public": None if public is None else rules.RANKS[public],
        }
        if self.outcome is not None and _showdown(s["history"]):
            view["opponent_card"] = rules.RANKS[s["cards"][1 - player]]
        return view

    def _state_key(self, player: int) -> Hashable:
        return (self.state["cards"][player], self._shown_public(), self.state["history"])

    def _private_info(self, player: int) -> Hashable:
        return (self.state["cards"][player], self._shown_public())


@lru_cache(maxsize=8192)
def _render_text(
    player: int, card: int, public: int | None, history: str, result: float | None, other: int | None
) -> str:
    """The text `player` sees (`result`: its reward once the hand is over; `other`: a shown card)."""
    lines = [
        f"You are player {player}. Your card: {rules.RANKS[card]}. "
        f"Public card: {'not shown yet' if public is None else rules.RANKS[public]}.",
        _describe_history(history),
    ]
    put = rules.contributions(history)
    lines.append(f"Chips in the pot: yours {put[player]}, the opponent's {put[1 - player]}.")
    if result is not None:
        if other is not None:
            lines.append(f"Showdown: your {rules.RANKS[card]} against the opponent's {rules.RANKS[other]}.")
        verb = "won" if result > 0 else "lost" if result < 0 else "split the pot and won"
        lines.append(f"Hand over. You {verb} {abs(result):g} chip(s).")
    elif rules.to_move(history) == player:
        lines.append(f"Your move. Legal moves: {', '.join(_legal_strings(history))}.")
    else:
        lines.append("Waiting for the opponent.")
    return "\n".join(lines)


@cache
def _legal_strings(history: str) -> tuple[str, ...]:
    return tuple(f"[{a}]" for a in rules.legal_actions(history))


@cache
def _describe_history(history: str) -> str:
    if not history:
        return "Round 1. No actions yet."
    parts = []
    for r, actions in enumerate(history.split("/")):
        if actions:
            said = ", ".join(f"player {i % 2} {rules.ACTIONS[a]}s" for i, a in enumerate(actions))
            parts.append(f"Round {r + 1}: {said}.")
    current = rules.round_index(history) + 1
    return " ".join(parts) + ("" if rules.is_terminal(history) else f" Now round {current}.")


def _showdown(history: str) -> bool:
    """True when the hand ended with the cards shown (not by a fold or a forfeit)."""
    return rules.is_terminal(history) and not history.endswith("f")
