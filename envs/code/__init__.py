"""Coding envs: the agent writes code; hidden tests run it in the sandbox."""

from __future__ import annotations

from agora.registry import register_all

ENVS: dict[str, tuple[str, int | None]] = {
    "code/UnitTests-v0": ("agora.envs.code.unit_tests.env:UnitTests", 8),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
