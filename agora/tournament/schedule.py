"""Who plays whom, in which seats, with which seed: the fixed schedule of a round robin.

Every group of distinct agents (pairs in a two-player game, groups of `num_players` agents in a
larger one; all agents, repeated in turn, when there are fewer agents than seats) plays
`games_per_pair` games. Game `g` of a group seats its lineup rotated by `g`, so in a two-player
game the agents swap seats every game and in an n-player game each agent visits every seat.

Deals are *duplicate*, as in poker AI evaluation: the `num_players` consecutive rotations of a group
share one seed (the same cards, dice or words), so every agent plays every seat of the same deal, and
ratings compare agents per deal (`agora.tournament.ratings.deal_scores`). Luck of the deal cancels:
an agent that wins more hands but loses chips (random against Kuhn poker's equilibrium) ranks below.
Indices are ``g * len(groups) + group``, so a longer tournament (more games per pair) keeps the
indices and seeds of a shorter one: its log can be extended.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np


@dataclasses.dataclass(frozen=True)
class Match:
    """One scheduled game: its index in the tournament, the env, the agent spec of each seat, the seed."""

    env_id: str
    index: int
    seats: tuple[str, ...]
    seed: int
    deal: int
    """Games of one group with the same `deal` share the seed, with the seats rotated."""
    rotation: int = 0
    """Which of its deal's games this is (0 .. num_players-1): the seat rotation within the deal."""


def game_seed(seed: int, index: int) -> int:
    """The seed of game `index` in a tournament seeded with `seed` (independent of the schedule)."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0] & 0x7FFFFFFF)


def groups(agents: Sequence[str], num_players: int) -> list[tuple[str, ...]]:
    """The groups of distinct agents that meet: pairs for two seats, n-subsets for n seats."""
    size = min(num_players, len(agents))
    return list(itertools.combinations(agents, size))


def lineup(group: Sequence[str], num_players: int, rotation: int) -> tuple[str, ...]:
    """Seats of a game of `group`: the agents repeated to fill the seats, rotated by `rotation`."""
    base = [group[i % len(group)] for i in range(num_players)]
    shift = rotation % num_players
    return tuple(base[shift:] + base[:shift])


def round_robin_schedule(
    env_id: str, agents: Sequence[str], num_players: int, games_per_pair: int, seed: int
) -> list[Match]:
    """Every game of a round robin, in index order."""
    meetings = groups(agents, num_players)
    matches = []
    for g in range(games_per_pair):
        for k, group in enumerate(meetings):
            index = g * len(meetings) + k
            deal = (g // num_players) * len(meetings) + k
            seats = lineup(group, num_players, g)
            matches.append(Match(env_id, index, seats, game_seed(seed, deal), deal, g % num_players))
    return matches
