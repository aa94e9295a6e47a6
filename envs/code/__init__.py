"""Coding envs: the agent writes code; hidden tests run it in the sandbox."""

from __future__ import annotations

import agora

# id -> entry point
CODE_ENVS = {
    "code/UnitTests-v0": "agora.envs.code.unit_tests.env:UnitTests",
}
# id -> turns after which `make` truncates the episode
MAX_TURNS = {
    "code/UnitTests-v0": 8,
}


def register_envs() -> None:
    """Registers every code env (called through the `agora.envs` entry point)."""
    for env_id, entry_point in CODE_ENVS.items():
        agora.register(env_id, entry_point, max_turns=MAX_TURNS.get(env_id))
