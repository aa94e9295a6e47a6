"""GUI environments: the agent sees screenshots and acts with coordinates (pixel mode)."""

from __future__ import annotations


def register_envs() -> None:
    """Registers the gui family (called through the `agora.envs` entry point)."""
