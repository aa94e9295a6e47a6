"""Nim rules as pure functions over a tuple of pile sizes (no env, no text).

Normal play: players alternately take one or more objects from a single pile; whoever takes the
last object wins. A move is ``(pile, count)``. Bouton's theorem: the player to move loses under
perfect play exactly when the nim-sum (XOR of the pile sizes) is 0.
"""

from __future__ import annotations

from functools import reduce
from operator import xor

Piles = tuple[int, ...]
Move = tuple[int, int]


def nim_sum(piles: Piles) -> int:
    """XOR of the pile sizes."""
    return reduce(xor, piles, 0)


def legal_moves(piles: Piles) -> list[Move]:
    """Every `(pile, count)` with 1 <= count <= that pile's size, by pile then count."""
    return [(i, k) for i, n in enumerate(piles) for k in range(1, n + 1)]


def play(piles: Piles, move: Move) -> Piles:
    """The piles after taking `count` objects from `pile`; raises ValueError for an illegal move."""
    pile, count = move
    if not 0 <= pile < len(piles) or not 1 <= count <= piles[pile]:
        raise ValueError(f"cannot take {count} from pile {pile} of {piles}")
    return piles[:pile] + (piles[pile] - count,) + piles[pile + 1 :]


def is_over(piles: Piles) -> bool:
    """True when every pile is empty (the player who just moved has won)."""
    return not any(piles)


def winning_moves(piles: Piles) -> list[Move]:
    """The moves that leave a nim-sum of 0 (empty when the position is lost for the mover)."""
    total = nim_sum(piles)
    if total == 0:
        return []
    return [(i, n - (n ^ total)) for i, n in enumerate(piles) if n ^ total < n]
