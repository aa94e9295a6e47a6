"""The configurable games pass the conformance checks with non-default options too."""

from __future__ import annotations

import pytest

import agora


@pytest.mark.parametrize(
    ("env_id", "kwargs"),
    [
        ("games/Nim-v0", {"piles": (1, 2, 7)}),
        ("games/Nim-v0", {"piles": [5]}),
        ("games/LiarsDice-v0", {"dice": 1}),
        ("games/LiarsDice-v0", {"dice": (3, 2)}),
    ],
)
def test_variant_conforms(env_id, kwargs):
    agora.check_game(agora.make(env_id, **kwargs))
    env = agora.make(env_id, opponent="random", **kwargs)
    agora.check_env(env)


@pytest.mark.parametrize("env_id", ["games/TicTacToe-v0", "games/ConnectFour-v0", "games/Nim-v0", "games/KuhnPoker-v0"])
def test_a_game_builds_its_generator_only_when_its_start_draws_from_it(env_id):
    game = agora.make(env_id)
    for seed in (1, 2):
        game.reset(seed=seed)
        assert (game._rng is not None) == type(game).chance_at_reset
    reference = agora.make(env_id)
    reference.reset(seed=2)
    assert game._np_random.integers(2**62) == reference._np_random.integers(2**62)  # built late, same stream
