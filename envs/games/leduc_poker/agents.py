"""Scripted Leduc hold'em agents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from agora.envs.games.leduc_poker import rules
from agora.envs.games.leduc_poker.best_response import Strategy, action_probabilities

from agora.agent import SeededAgent

STRATEGY_FILE = Path(__file__).with_name("strategy.json")


@cache
def equilibrium() -> Strategy:
    """The shipped CFR+ equilibrium strategy (infoset key -> action probabilities)."""
    return json.loads(STRATEGY_FILE.read_text())


class CFRAgent(SeededAgent):
    """Samples its action from the shipped CFR+ equilibrium for the infoset in `info["view"]`."""

    name = "cfr"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The sampled equilibrium action, in brackets."""
        view = info["view"]
        public = None if view["public"] is None else rules.RANKS.index(view["public"])
        probs = action_probabilities(equilibrium(), rules.RANKS.index(view["card"]), public, view["history"])
        u, total = self.rng.random(), 0.0
        for action, q in probs.items():
            total += q
            if u < total:
                return f"[{action}]"
        return f"[{next(reversed(probs))}]"
