"""Scripted Kuhn poker agents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import SeededAgent
from agora.envs.games.kuhn_poker import rules


def nash_policy(card: str, history: tuple[str, ...], alpha: float) -> dict[str, float]:
    """Probabilities of each legal action under the Kuhn equilibrium with parameter `alpha`.

    Player 0 bets a J with probability alpha, a K with 3 alpha, checks a Q, and after check-bet
    calls with a Q with probability alpha + 1/3. Player 1 facing a bet calls with K, with Q at 1/3
    and folds a J; facing a check it bets a K, bluffs a J at 1/3 and checks a Q. Player 0's value
    is -1/18 for every alpha in [0, 1/3].
    """
    if not 0.0 <= alpha <= 1.0 / 3.0:
        raise ValueError(f"alpha must lie in [0, 1/3], got {alpha}")
    third = 1.0 / 3.0
    if history == ():
        bet = {"J": alpha, "Q": 0.0, "K": 3.0 * alpha}[card]
        return {"bet": bet, "check": 1.0 - bet}
    if history == ("check", "bet"):
        call = {"J": 0.0, "Q": alpha + third, "K": 1.0}[card]
        return {"call": call, "fold": 1.0 - call}
    if history == ("bet",):
        call = {"J": 0.0, "Q": third, "K": 1.0}[card]
        return {"call": call, "fold": 1.0 - call}
    if history == ("check",):
        bet = {"J": third, "Q": 0.0, "K": 1.0}[card]
        return {"bet": bet, "check": 1.0 - bet}
    raise ValueError(f"no decision at history {history}")


class NashAgent(SeededAgent):
    """Plays the Kuhn poker equilibrium with parameter `alpha` (default 1/6)."""

    name = "nash"

    def __init__(self, seed: int | None = None, alpha: float = 1.0 / 6.0):
        super().__init__(seed)
        nash_policy("J", (), alpha)  # validates alpha
        self.alpha = alpha

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """Samples the equilibrium action for the card and history in `info["view"]`."""
        view = info["view"]
        probs = nash_policy(view["card"], tuple(view["history"]), self.alpha)
        actions = [a for a in rules.legal_actions(tuple(view["history"])) if a in probs]
        u, total = self.rng.random(), 0.0
        for action in actions:
            total += probs[action]
            if u < total:
                return f"[{action}]"
        return f"[{actions[-1]}]"
