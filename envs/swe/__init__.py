"""SWE envs: repository-level bug fixing in a Docker sandbox (real PyPI projects, injected bugs)."""

from __future__ import annotations

import agora

ENVS: dict[str, str] = {"swe/BugFix-v0": "agora.envs.swe.bug_fix.env:BugFix"}
MAX_TURNS: dict[str, int] = {"swe/BugFix-v0": 30}


def register_envs() -> None:
    """Registers every swe env (called through the `agora.envs` entry point)."""
    for env_id, entry_point in ENVS.items():
        agora.register(env_id, entry_point, max_turns=MAX_TURNS[env_id])
