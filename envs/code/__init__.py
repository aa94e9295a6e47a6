"""Coding envs: the agent writes code; hidden tests run it in the sandbox."""

from __future__ import annotations

import agora

# id -> (entry point, max turns)
CODE_ENVS = {
    "code/UnitTests-v0": ("agora.envs.code.unit_tests.env:UnitTests", 8),
}


def register_envs() -> None:
    """Registers every code env (called through the `agora.envs` entry point)."""
    for env_id, (entry_point, max_turns) in CODE_ENVS.items():
        agora.register(env_id, entry_point, max_turns=max_turns)
