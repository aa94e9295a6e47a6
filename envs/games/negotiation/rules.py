"""Simple Negotiation rules as pure functions (no env, no text).

Two players hold public inventories of a few resources and private per-unit values for them. On
each turn the player to move either answers the opponent's pending offer (accept or reject) or
makes a new offer: units it gives in exchange for units it receives. An accepted offer moves the
units at once. After `max_rounds` turns per player the game ends; each player's reward is the
change of its inventory's value under its own private values (general-sum).
"""

from __future__ import annotations

import dataclasses
import re

RESOURCES = ("wood", "stone", "gold")
Bundle = tuple[int, ...]
"""Units of each resource, in `RESOURCES` order."""


@dataclasses.dataclass(frozen=True)
class Offer:
    """`proposer` gives `give` and receives `get` if the other player accepts."""

    proposer: int
    give: Bundle
    get: Bundle


@dataclasses.dataclass(frozen=True)
class State:
    """A negotiation: inventories, private values, the pending offer and the turn count."""

    inventories: tuple[Bundle, Bundle]
    values: tuple[Bundle, Bundle]
    start: tuple[Bundle, Bundle]
    max_rounds: int
    turn: int = 0
    pending: Offer | None = None
    log: tuple[str, ...] = ()


def new_state(inventories: tuple[Bundle, Bundle], values: tuple[Bundle, Bundle], max_rounds: int) -> State:
    """The state before the first move."""
    if max_rounds < 1:
        raise ValueError(f"max_rounds must be >= 1, got {max_rounds}")
    return State(inventories=inventories, values=values, start=inventories, max_rounds=max_rounds)


def to_move(state: State) -> int:
    """Index of the player to move (players alternate; player 0 starts)."""
    return state.turn % 2


def is_over(state: State) -> bool:
    """True once both players have had `max_rounds` turns."""
    return state.turn >= 2 * state.max_rounds


def value(bundle: Bundle, values: Bundle) -> int:
    """Worth of `bundle` under per-unit `values`."""
    return sum(n * v for n, v in zip(bundle, values, strict=True))


def gain(state: State, player: int) -> int:
    """Change of `player`'s inventory value since the start, under its own values."""
    return value(state.inventories[player], state.values[player]) - value(state.start[player], state.values[player])


def offer_error(state: State, player: int, give: Bundle, get: Bundle) -> str | None:
    """Why `player` may not offer `give` for `get` now, or None when the offer is allowed."""
    if not any(give) or not any(get):
        return "An offer must give at least one unit and ask for at least one unit."
    if any(g and r for g, r in zip(give, get, strict=True)):
        return "An offer may not give and ask for the same resource."
    if any(n < 0 for n in (*give, *get)):
        return "Quantities must be positive."
    mine, theirs = state.inventories[player], state.inventories[1 - player]
    if any(g > h for g, h in zip(give, mine, strict=True)):
        return f"You cannot give more than you hold ({describe(mine)})."
    if any(g > h for g, h in zip(get, theirs, strict=True)):
        return f"The other player holds only {describe(theirs)}."
    return None


def make_offer(state: State, give: Bundle, get: Bundle) -> State:
    """The state after the player to move offers `give` for `get` (replacing any pending offer)."""
    player = to_move(state)
    error = offer_error(state, player, give, get)
    if error:
        raise ValueError(error)
    offer = Offer(player, give, get)
    return dataclasses.replace(
        state, turn=state.turn + 1, pending=offer, log=(*state.log, f"player {player} offers {describe_offer(offer)}")
    )


def accept(state: State) -> State:
    """The state after the player to move accepts the pending offer (the units change hands)."""
    offer = state.pending
    if offer is None or offer.proposer == to_move(state):
        raise ValueError("there is no offer to accept")
    p, q = offer.proposer, 1 - offer.proposer
    inv = list(state.inventories)
    inv[p] = tuple(h - g + r for h, g, r in zip(inv[p], offer.give, offer.get, strict=True))
    inv[q] = tuple(h + g - r for h, g, r in zip(inv[q], offer.give, offer.get, strict=True))
    if min(inv[p] + inv[q]) < 0:
        raise ValueError("the offer is no longer feasible")
    return dataclasses.replace(
        state, inventories=(inv[0], inv[1]), turn=state.turn + 1, pending=None, log=(*state.log, f"player {q} accepts")
    )


def reject(state: State) -> State:
    """The state after the player to move rejects the pending offer (or passes when there is none)."""
    word = "rejects" if state.pending is not None else "passes"
    return dataclasses.replace(
        state, turn=state.turn + 1, pending=None, log=(*state.log, f"player {to_move(state)} {word}")
    )


def describe(bundle: Bundle) -> str:
    """E.g. ``"2 wood, 1 gold"`` (``"nothing"`` for an empty bundle)."""
    parts = [f"{n} {r}" for n, r in zip(bundle, RESOURCES, strict=True) if n]
    return ", ".join(parts) or "nothing"


def describe_offer(offer: Offer) -> str:
    """The offer in the action syntax without brackets: ``"offer: 2 wood -> 1 gold"``."""
    return f"offer: {describe(offer.give)} -> {describe(offer.get)}"


_ITEM = re.compile(r"^\s*([0-9]{1,9})\s*([a-z]+)\s*$")


def parse_bundle(text: str) -> Bundle:
    """Parses ``"2 wood, 1 gold"`` (or with ``+``/``and``) into a bundle; raises ValueError."""
    counts = [0] * len(RESOURCES)
    for item in re.split(r",|\+|\band\b", text.lower()):
        if not item.strip():
            continue
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"cannot read {item.strip()!r}: write a count and a resource, e.g. '2 wood'")
        name = match[2].rstrip("s") if match[2] not in RESOURCES else match[2]
        if name not in RESOURCES:
            raise ValueError(f"unknown resource {match[2]!r}; resources are {', '.join(RESOURCES)}")
        counts[RESOURCES.index(name)] += int(match[1])
    return tuple(counts)


def parse_offer(text: str) -> tuple[Bundle, Bundle]:
    """Parses ``"2 wood -> 1 gold"`` into (give, get); raises ValueError."""
    if "->" not in text:
        raise ValueError("an offer looks like 'offer: 2 wood -> 1 gold' (what you give -> what you get)")
    give, _, get = text.partition("->")
    return parse_bundle(give), parse_bundle(get)
