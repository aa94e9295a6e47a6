"""Liar's Dice rules (one hand, two players) as pure functions (no env, no text).

Each player rolls its dice in secret. Players alternately bid on all the dice on the table: a bid
``(quantity, face)`` claims that at least `quantity` dice show `face`. Each bid must be higher than
the last: a greater quantity, or the same quantity and a greater face. Instead of bidding, a player
may call the last bid a lie: the dice are shown; if at least `quantity` dice show `face`, the
bidder wins, otherwise the caller wins. No face is wild.
"""

from __future__ import annotations

from functools import cache
from math import comb

FACES = 6
Bid = tuple[int, int]
Dice = tuple[int, ...]


def is_higher(new: Bid, old: Bid | None) -> bool:
    """True when `new` outbids `old` (any bid outbids None)."""
    return old is None or new > old


@cache
def legal_bids(last: Bid | None, total_dice: int) -> tuple[Bid, ...]:
    """Every bid that outbids `last` with at most `total_dice` dice, lowest first."""
    bids = ((q, f) for q in range(1, total_dice + 1) for f in range(1, FACES + 1))
    return tuple(b for b in bids if is_higher(b, last))


def count(dice: Dice, face: int) -> int:
    """How many of `dice` show `face`."""
    return dice.count(face)


def bid_holds(all_dice: Dice, bid: Bid) -> bool:
    """True when at least `quantity` of `all_dice` show `face`."""
    return count(all_dice, bid[1]) >= bid[0]


def challenge_winner(dice: tuple[Dice, Dice], bid: Bid, bidder: int) -> int:
    """Index of the winner when the other player calls `bidder`'s `bid` a lie."""
    return bidder if bid_holds(dice[0] + dice[1], bid) else 1 - bidder


@cache
def at_least(k: int, n: int, p: float = 1.0 / FACES) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    return sum(comb(n, i) * p**i * (1.0 - p) ** (n - i) for i in range(k, n + 1))


def bid_probability(own: Dice, hidden: int, bid: Bid) -> float:
    """Probability that `bid` holds, knowing one's own dice, with `hidden` unseen fair dice."""
    return at_least(bid[0] - count(own, bid[1]), hidden)


def roll(rng, n: int) -> Dice:
    """`n` dice from `rng` (a NumPy Generator), sorted: only the multiset matters."""
    return tuple(sorted(int(x) for x in rng.integers(1, FACES + 1, size=n)))
