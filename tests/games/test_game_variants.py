"""The configurable games pass the conformance checks with non-default options too."""

from __future__ import annotations

import pytest

import agora


@pytest.mark.parametrize(("env_id", "kwargs"), [
    ("games/Nim-v0", {"piles": (1, 2, 7)}),
    ("games/Nim-v0", {"piles": [5]}),
    ("games/LiarsDice-v0", {"dice": 1}),
    ("games/LiarsDice-v0", {"dice": (3, 2)}),
])
def test_variant_conforms(env_id, kwargs):
    agora.check_game(agora.make(env_id, **kwargs))
    env = agora.make(env_id, opponent="random", **kwargs)
    agora.check_env(env)
