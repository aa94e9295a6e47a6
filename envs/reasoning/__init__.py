"""Single-turn verifiable tasks (RLVR): procedural, seeded, with exact verifiers.

`agora.envs.reasoning.base.DatasetEnv.from_dataset(rows, verifier)` turns a user's own rows into the
same kind of env.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agora.registry import EnvEntry, register_all

if TYPE_CHECKING:
    from agora.envs.reasoning.base import DatasetEnv

__all__ = ["DatasetEnv", "ENVS", "register_envs"]

TWENTY_FOUR = "agora.envs.reasoning.twenty_four.env:TwentyFour"

ENVS: dict[str, EnvEntry] = {
    "reasoning/Arithmetic-v0": ("agora.envs.reasoning.arithmetic.env:Arithmetic", 1),
    "reasoning/Countdown-v0": ("agora.envs.reasoning.countdown.env:Countdown", 1),
    "reasoning/Sorting-v0": ("agora.envs.reasoning.sorting.env:Sorting", 1),
    "reasoning/Logic-v0": ("agora.envs.reasoning.logic.env:Logic", 1),
    "reasoning/TwentyFour-v0": (TWENTY_FOUR, 1, {"mode": "text"}),
    "reasoning/VisualTwentyFour-v0": (TWENTY_FOUR, 1, {"mode": "image"}),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None[, default kwargs])."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)


def __getattr__(name: str) -> Any:
    """`DatasetEnv` is imported on first use, so registering the family stays light."""
    if name == "DatasetEnv":
        from agora.envs.reasoning.base import DatasetEnv

        return DatasetEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
