"""Kuhn poker for two LLM players, the smallest poker with bluffing (a SPIRAL self-play game).

**Rules.** A deck of three cards, J < Q < K. Each player antes 1 chip and gets one private card;
player_0 acts first. With no bet outstanding a player may ``check`` or ``bet`` 1 chip; facing a bet,
``call`` (match it) or ``fold`` (give up the pot). After check-check or a call, the higher card
wins the pot.

**Action format.** The action in brackets: ``[check]``, ``[bet]``, ``[call]`` or ``[fold]``.

**Rewards.** At the end: the chips won or lost (+-1 or +-2), zero-sum. An invalid action gives an
error observation and another try; the third invalid action in a row forfeits (-1, opponent +1).

**Private information.** A player sees its own card and the public actions, never the other card
until the hand is over (then both are shown).

**Scripted agents.** ``random``; ``nash`` (the equilibrium family, parameter ``alpha`` in [0, 1/3]).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from agora.envs.games.kuhn_poker import rules
from agora.game import TurnBasedGame

RULES = (
    "You are playing Kuhn poker. The deck has three cards: J < Q < K. Each player antes 1 chip and "
    "receives one private card; player 0 acts first. With no bet outstanding you may [check] or [bet] "
    "(1 chip); facing a bet you may [call] (match it) or [fold] (lose the pot). After check-check or a "
    "call, the higher card wins the pot. Answer with your action in brackets, e.g. [bet]. "
    "Your reward is the chips you win or lose."
)


class KuhnPoker(TurnBasedGame):
    """Kuhn poker as a text game (see the module docs for rules, actions and rewards)."""

    game_name = "kuhn_poker"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    rules = RULES
    scripted_agents = {"nash": "agora.envs.games.kuhn_poker.agents:NashAgent"}

    def _new_state(self, rng: np.random.Generator, options: dict[str, Any]) -> dict[str, Any]:
        cards = rng.permutation(3)[:2]
        return {"cards": (int(cards[0]), int(cards[1])), "history": ()}

    def _current_player(self) -> int:
        return rules.to_move(self.state["history"])

    def _legal_actions(self, player: int) -> list[str]:
        return [f"[{a}]" for a in rules.legal_actions(self.state["history"])]

    def _apply(self, player: int, move: str) -> None:
        self.state["history"] = (*self.state["history"], move[1:-1])

    def _outcome(self) -> list[float] | None:
        result = rules.payoffs(self.state["cards"], self.state["history"])
        return None if result is None else list(result)

    def _render(self, player: int) -> str:
        history = self.state["history"]
        card = rules.CARDS[self.state["cards"][player]]
        lines = [f"You are player {player}. Your card: {card}."]
        actions = [f"player {i % 2} {a}s" for i, a in enumerate(history)]
        lines.append(f"Actions so far: {', '.join(actions)}." if actions else "No actions yet.")
        if self.outcome is not None:
            other = rules.CARDS[self.state["cards"][1 - player]]
            if _showdown(history):
                lines.append(f"Showdown: your {card} against the opponent's {other}.")
            lines.append(
                f"Hand over. You {'won' if self.outcome[player] > 0 else 'lost'} {abs(self.outcome[player]):g} chip(s)."
            )
        elif rules.to_move(history) == player:
            lines.append(f"Your move. Legal moves: {', '.join(self._legal_actions(player))}.")
        else:
            lines.append("Waiting for the opponent.")
        return "\n".join(lines)

    def _view(self, player: int) -> dict[str, Any]:
        view = {
            "card": rules.CARDS[self.state["cards"][player]],
            "history": list(self.state["history"]),
            "player": player,
        }
        if self.outcome is not None and _showdown(self.state["history"]):
            view["opponent_card"] = rules.CARDS[self.state["cards"][1 - player]]
        return view

    def _state_key(self, player: int) -> Hashable:
        return (self.state["cards"][player], self.state["history"], rules.to_move(self.state["history"]))

    def _private_info(self, player: int) -> Hashable:
        return self.state["cards"][player]


def _showdown(history: rules.History) -> bool:
    """True when the hand ended with the cards shown (not by a fold or a forfeit)."""
    return history in rules.TERMINAL and history[-1] != "fold"
