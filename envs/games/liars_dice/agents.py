"""Scripted Liar's Dice agents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.envs.games.liars_dice import rules

from agora.agent import SeededAgent


class ProbabilisticAgent(SeededAgent):
    """Bids and challenges by the binomial probability of a bid given its own dice.

    It calls the last bid a lie when the bid is less likely to hold than its own best raise;
    otherwise it makes the raise most likely to hold (ties broken at random, the lowest quantity
    preferred). It ignores what the opponent's bids suggest about the opponent's dice.
    """

    name = "probabilistic"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """A bid ``[quantity face]`` or ``[liar]`` for the view in `info["view"]`."""
        view = info["view"]
        own, hidden = tuple(view["dice"]), view["opponent_dice"]
        last = tuple(view["bids"][-1]) if view["bids"] else None
        raises = rules.legal_bids(last, len(own) + hidden)
        scored = [(rules.bid_probability(own, hidden, b), b) for b in raises]
        best = max((p for p, _ in scored), default=0.0)
        if last is not None and 1.0 - rules.bid_probability(own, hidden, last) > best:
            return "[liar]"
        top = [b for p, b in scored if p >= best - 1e-9]
        lowest = min(q for q, _ in top)
        quantity, face = self.choice([b for b in top if b[0] == lowest])
        return f"[{quantity} {face}]"
