"""Scripted Simple Negotiation agents."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from agora.agent import SeededAgent
from agora.envs.games.negotiation import rules


def greedy_offer(
    values: Sequence[int], mine: Sequence[int], theirs: Sequence[int], turn: int
) -> tuple[rules.Bundle, rules.Bundle] | None:
    """An offer that never lowers the proposer's value: its cheapest units for one of a dearer unit.

    Targets (resources the other player holds that the proposer values more than its cheapest held
    resource) are tried in turn, dearest first, `turn` choosing among them so that a rejected offer
    is not repeated word for word. Gives as many cheap units as keep the trade strictly profitable
    (at least one). None when no profitable trade exists.
    """
    held = [i for i, n in enumerate(mine) if n > 0]
    if not held:
        return None
    cheap = min(held, key=lambda i: (values[i], i))
    targets = sorted(
        (j for j, n in enumerate(theirs) if n > 0 and values[j] > values[cheap]), key=lambda j: (-values[j], j)
    )
    if not targets:
        return None
    target = targets[turn // 2 % len(targets)]
    count = min(mine[cheap], max(1, math.ceil(values[target] / values[cheap]) - 1))
    give = tuple(count if i == cheap else 0 for i in range(len(values)))
    get = tuple(1 if j == target else 0 for j in range(len(values)))
    return give, get


class GreedyAgent(SeededAgent):
    """Accepts offers that raise its value, otherwise proposes `greedy_offer` (or passes/rejects)."""

    name = "greedy"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The greedy move for the state in `info["view"]`."""
        view = info["view"]
        values, me = view["values"], view["player"]
        pending = view["pending"]
        if pending is not None:
            delta = rules.value(tuple(pending["give"]), tuple(values)) - rules.value(
                tuple(pending["get"]), tuple(values)
            )
            if delta > 0:
                return "[accept]"
        inventories = view["inventories"]
        offer = greedy_offer(values, inventories[me], inventories[1 - me], view["turn"])
        if offer is None:
            return "[reject]" if pending is not None else "[pass]"
        return f"[{rules.describe_offer(rules.Offer(me, *offer))}]"
