"""Simple Negotiation: two players trade resources they value differently (a SPIRAL self-play game).

**Rules.** There are three resources: wood, stone and gold. Each player holds an inventory
(``units`` of each resource at the start; inventories are public) and has private per-unit values,
drawn from 1 to 5 for each resource. Players alternate turns, player_0 first, for ``max_rounds``
turns each. On a turn a player makes an offer (what it gives -> what it receives), or answers the
opponent's pending offer: accept (the units change hands at once) or reject. A new offer also
rejects the pending one. With no offer pending a player may pass. Several trades may happen.

**Action format.** One action in brackets: ``[offer: 2 wood, 1 stone -> 1 gold]`` (you give the
left side, you receive the right side; you must hold what you give and the other player what you
ask), ``[accept]``, ``[reject]`` (only with an offer pending) or ``[pass]`` (only without one).
``info["legal_actions"]`` lists accept/reject/pass when allowed and every one-for-one offer; any
feasible offer is legal.

**Rewards.** At the end, each player's change in inventory value under its own private values
(general-sum: both can gain from a trade). An invalid action gives an error observation and
another try; the third invalid action in a row forfeits: the offender gets -1, the other 0.

**Private information.** A player sees its own values only; inventories and offers are public.

**Scripted agents.** ``random``; ``greedy`` (offers its least-valued units for its most-valued ones
without ever losing value, and accepts only offers that raise its value).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from agora.envs.games.negotiation import rules
from agora.errors import GameSetupError
from agora.game import TurnBasedGame
from agora.limits import find_bracketed_move

RULES = (
    "You are playing a negotiation game. There are three resources: wood, stone and gold. Each "
    "player holds an inventory (both inventories are public) and has PRIVATE values per unit of each "
    "resource. Players alternate turns for a fixed number of rounds. On your turn, make an offer "
    "with [offer: 2 wood, 1 stone -> 1 gold] (you give the left side and receive the right side), or "
    "answer the other player's pending offer with [accept] or [reject]; with no offer pending you may "
    "[pass]. Accepted offers are executed at once. Your reward is how much the value of your "
    "inventory (under your own values) changed by the end of the game."
)


class SimpleNegotiation(TurnBasedGame):
    """Simple Negotiation as a text game (see the module docs for rules, actions and rewards).

    Args:
        units: units of each resource every player holds at the start.
        max_rounds: turns per player.
    """

    game_name = "simple_negotiation"
    possible_agents = ["player_0", "player_1"]  # each instance gets its own copy (TurnBasedGame.__init__)
    rules = RULES
    zero_sum = False
    scripted_agents = {"greedy": "agora.envs.games.negotiation.agents:GreedyAgent"}

    def __init__(self, *, units: int = 5, max_rounds: int = 5, **kwargs: Any):
        if units < 1 or max_rounds < 1:
            raise GameSetupError(f"units and max_rounds must be >= 1, got units={units}, max_rounds={max_rounds}.")
        self.units = units
        self.max_rounds = max_rounds
        super().__init__(**kwargs)

    def _new_state(self, rng: np.random.Generator, options: dict[str, Any]) -> rules.State:
        values = rng.integers(1, 6, size=(2, len(rules.RESOURCES)))
        start = (self.units,) * len(rules.RESOURCES)
        return rules.new_state(
            (start, start), (tuple(map(int, values[0])), tuple(map(int, values[1]))), self.max_rounds
        )

    def _current_player(self) -> int:
        return rules.to_move(self.state)

    def _legal_actions(self, player: int) -> list[str]:
        state = self.state
        answers = ["[accept]", "[reject]"] if state.pending is not None else ["[pass]"]
        mine, theirs = state.inventories[player], state.inventories[1 - player]
        return answers + [text for i, j, text in _ONE_FOR_ONE if mine[i] and theirs[j]]

    def _parse_action(self, player: int, text: str) -> tuple[str | None, str | None]:
        token = find_bracketed_move(text)
        pending = self.state.pending is not None
        if token is None:
            return None, "No move found. Write your move in brackets, e.g. [offer: 1 wood -> 1 gold]."
        if token in ("accept", "reject") and pending or token == "pass" and not pending:
            return f"[{token}]", None
        if token in ("accept", "reject", "pass"):
            why = "There is no offer to answer." if not pending else "Answer the pending offer first."
            return None, f"[{token}] is not possible now. {why} Use [offer: ...]" + ("" if pending else " or [pass].")
        if not token.startswith("offer"):
            return None, f"[{token}] is not a move. Use [offer: 1 wood -> 1 gold], [accept], [reject] or [pass]."
        try:
            give, get = rules.parse_offer(token.removeprefix("offer").lstrip(" :"))
        except ValueError as e:
            return None, f"Cannot read the offer: {e}."
        error = rules.offer_error(self.state, player, give, get)
        if error:
            return None, error
        return f"[{rules.describe_offer(rules.Offer(player, give, get))}]", None

    def _apply(self, player: int, move: str) -> None:
        if move == "[accept]":
            self.state = rules.accept(self.state)
        elif move in ("[reject]", "[pass]"):
            self.state = rules.reject(self.state)
        else:
            self.state = rules.make_offer(self.state, *rules.parse_offer(move[1:-1].removeprefix("offer:")))

    def _outcome(self) -> list[float] | None:
        if not rules.is_over(self.state):
            return None
        return [float(rules.gain(self.state, p)) for p in (0, 1)]

    def _render(self, player: int) -> str:
        s = self.state
        mine = s.values[player]
        worth = rules.value(s.inventories[player], mine)
        lines = [
            f"You are player {player}. Your private values per unit: "
            + ", ".join(f"{r} {v}" for r, v in zip(rules.RESOURCES, mine, strict=True))
            + ".",
            f"You hold {rules.describe(s.inventories[player])} (worth {worth} to you; "
            f"{worth - rules.value(s.start[player], mine):+d} since the start). "
            f"The other player holds {rules.describe(s.inventories[1 - player])}.",
            f"Turn {min(s.turn + 1, 2 * s.max_rounds)} of {2 * s.max_rounds}. "
            + ("Moves so far: " + "; ".join(s.log) + "." if s.log else "No moves yet."),
        ]
        if self.outcome is not None:
            lines.append(f"Game over. Your reward: {self.outcome[player]:+g}.")
        elif rules.to_move(s) != player:
            lines.append("Waiting for the other player.")
        else:
            if s.pending is not None:
                delta = rules.value(s.pending.give, mine) - rules.value(s.pending.get, mine)
                lines.append(
                    f"Pending offer to you: you give {rules.describe(s.pending.get)} and receive "
                    f"{rules.describe(s.pending.give)} (worth {delta:+d} to you)."
                )
            lines.append(f"Your move. Examples: {', '.join(self._legal_now(player))}.")
        return "\n".join(lines)

    def _view(self, player: int) -> dict[str, Any]:
        s = self.state
        pending = (
            None
            if s.pending is None
            else {"proposer": s.pending.proposer, "give": list(s.pending.give), "get": list(s.pending.get)}
        )
        return {
            "player": player,
            "values": list(s.values[player]),
            "inventories": [list(i) for i in s.inventories],
            "pending": pending,
            "turn": s.turn,
            "max_rounds": s.max_rounds,
        }

    def _state_key(self, player: int) -> Hashable:
        s = self.state
        return (player, s.values[player], s.inventories, s.pending, s.turn)

    def _private_info(self, player: int) -> Hashable:
        return self.state.values[player]


def _unit(i: int, n: int) -> rules.Bundle:
    return tuple(1 if k == i else 0 for k in range(n))


_N = len(rules.RESOURCES)
_ONE_FOR_ONE = tuple(
    (i, j, f"[{rules.describe_offer(rules.Offer(0, _unit(i, _N), _unit(j, _N)))}]")
    for i in range(_N)
    for j in range(_N)
    if i != j
)
"""(give, get, action text) of every one-unit-for-one-unit offer, in listing order."""
