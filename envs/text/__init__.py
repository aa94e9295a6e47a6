"""Text worlds: TextWorld games (generated or loaded), the ScienceWorld simulator and ALFWorld's household tasks."""

from __future__ import annotations

from agora.registry import register_all

ENVS: dict[str, tuple[str, int | None]] = {
    "text/TextWorld-v0": ("agora.envs.text.textworld.env:TextWorldEnv", 100),
    "text/ScienceWorld-v0": ("agora.envs.text.scienceworld.env:ScienceWorldEnv", 100),
    "text/ALFWorld-v0": ("agora.envs.text.alfworld.env:ALFWorldEnv", 50),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
