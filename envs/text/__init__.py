"""Interactive fiction: TextWorld games generated at reset or loaded from a game file."""

from __future__ import annotations

import agora

ENVS: dict[str, str] = {"text/TextWorld-v0": "agora.envs.text.textworld.env:TextWorldEnv"}


def register_envs() -> None:
    """Registers the TextWorld env (called through the `agora.envs` entry point)."""
    for env_id, entry_point in ENVS.items():
        agora.register(env_id, entry_point, max_turns=100)
