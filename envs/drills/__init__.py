"""Small multi-turn drills with dense turn rewards, sized so a tiny model can learn them on CPU.

They exist to show (and test) that the trainer learns from turn-level credit in seconds to
minutes; they are real envs (checked by `agora.check_env`) with documented rules and rewards.
"""

from __future__ import annotations

from agora.registry import register_all

ENVS: dict[str, tuple[str, int | None]] = {
    "drills/GuessNumber-v0": ("agora.envs.drills.guess_number.env:GuessNumber", 6),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
