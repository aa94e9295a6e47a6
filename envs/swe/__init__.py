"""SWE envs: repository-level bug fixing in a Docker sandbox (real PyPI projects, injected bugs)."""

from __future__ import annotations

import agora

ENVS: dict[str, str] = {"swe/BugFix-v0": "agora.envs.swe.bug_fix.env:BugFix"}


def register_envs() -> None:
    """Registers every swe env (called through the `agora.envs` entry point)."""
    for env_id, entry_point in ENVS.items():
        # No TurnLimit: the env grades the working copy at its own last turn (`submit_at_turn`) and terminates.
        agora.register(env_id, entry_point)
