"""Single-turn verifiable tasks (RLVR): procedural, seeded, with exact verifiers.

`agora.envs.reasoning.base.DatasetEnv.from_dataset(rows, verifier)` turns a user's own rows into the
same kind of env.
"""

from __future__ import annotations

import agora
from agora.envs.reasoning.base import DatasetEnv

__all__ = ["DatasetEnv", "ENVS", "register_envs"]

ENVS: dict[str, str] = {
    "reasoning/Arithmetic-v0": "agora.envs.reasoning.arithmetic.env:Arithmetic",
    "reasoning/Countdown-v0": "agora.envs.reasoning.countdown.env:Countdown",
    "reasoning/Sorting-v0": "agora.envs.reasoning.sorting.env:Sorting",
    "reasoning/Logic-v0": "agora.envs.reasoning.logic.env:Logic",
}


def register_envs() -> None:
    """Registers every single-turn task (called through the `agora.envs` entry point)."""
    for env_id, entry_point in ENVS.items():
        agora.register(env_id, entry_point, max_turns=1)
