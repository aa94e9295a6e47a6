"""Small multi-turn drills with dense turn rewards, sized so a tiny model can learn them on CPU.

They exist to show (and test) that the trainer learns from turn-level credit in seconds to
minutes; they are real envs (checked by `agora.check_env`) with documented rules and rewards.
"""

from __future__ import annotations

import agora


def register_envs() -> None:
    """Registers ``drills/GuessNumber-v0`` (entry point of the `agora.envs` group)."""
    agora.register("drills/GuessNumber-v0", "agora.envs.drills.guess_number.env:GuessNumber", max_turns=6)
