"""A small seeded random stream for the few draws an episode makes (seats, game seeds, random moves).

Seeding a NumPy generator hashes the seed through a `SeedSequence` and costs 10 to 30
microseconds; the rollout engine resets an env and its agents for every episode, thousands of
times a second, and each reset needs only a draw or two. `SplitMix64` (Steele, Lea and Flood,
2014) is seeded for free and draws in well under a microsecond: enough for choosing among a few
moves, not for anything cryptographic. Streams are fixed functions of the seed, so a seeded reset
replays exactly.
"""

from __future__ import annotations

import os

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _fold(seed: int) -> int:
    """Any int (negative, or wider than 64 bits) as 64 bits; distinct small seeds stay distinct."""
    if 0 <= seed <= _MASK:
        return seed
    folded, rest = 0, abs(seed)
    while rest:
        folded = (folded * _GOLDEN + (rest & _MASK)) & _MASK
        rest >>= 64
    return folded ^ (_GOLDEN if seed < 0 else 0)


class SplitMix64:
    """SplitMix64: a 64-bit state advanced by a constant and mixed on output (see the module docs).

    Args:
        seed: any int; None seeds from the operating system's entropy.
    """

    __slots__ = ("_state",)

    def __init__(self, seed: int | None = None):
        self._state = int.from_bytes(os.urandom(8), "little") if seed is None else _fold(int(seed))

    def next64(self) -> int:
        """The next 64 random bits, as an int in ``[0, 2**64)``."""
        self._state = z = (self._state + _GOLDEN) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A uniform int in ``[0, n)`` for ``0 < n < 2**32`` (modulo bias under ``n / 2**64``: negligible)."""
        if not 0 < n < 1 << 32:
            raise ValueError(f"below() needs 0 < n < 2**32, got {n}")
        return self.next64() % n
