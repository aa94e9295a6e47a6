"""SWE envs: repository-level bug fixing in a Docker sandbox (real PyPI projects, injected bugs)."""

from __future__ import annotations

from agora.registry import register_all

ENVS: dict[str, tuple[str, int | None]] = {
    # No TurnLimit: the env grades the working copy at its own last turn (`submit_at_turn`) and terminates.
    "swe/BugFix-v0": ("agora.envs.swe.bug_fix.env:BugFix", None),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
