"""Single-player grid puzzles (RAGEN-style agent RL): Sokoban and FrozenLake, in text and pixels.

Levels are generated from the seed; each env's ``oracle`` agent plays an optimal solution and
``info["optimal_length"]`` says how many moves it takes. Guide: ``docs/guides/puzzles.md``.
"""

from __future__ import annotations

from agora.registry import EnvEntry, register_all

SOKOBAN = "agora.envs.puzzles.sokoban.env:Sokoban"
FROZEN_LAKE = "agora.envs.puzzles.frozen_lake.env:FrozenLake"
MAX_TURNS = 100
"""RAGEN's ``max_steps`` for both puzzles (and Gymnasium's limit for FrozenLake 4x4)."""

ENVS: dict[str, EnvEntry] = {
    "puzzles/Sokoban-v0": (SOKOBAN, MAX_TURNS, {"dim_room": (6, 6), "num_boxes": 1, "min_moves": 4}),
    "puzzles/Sokoban-easy-v0": (
        SOKOBAN,
        MAX_TURNS,
        {"dim_room": (6, 6), "num_boxes": 1, "min_moves": 2, "max_moves": 5},
    ),
    "puzzles/Sokoban-hard-v0": (SOKOBAN, MAX_TURNS, {"dim_room": (8, 8), "num_boxes": 2, "min_moves": 12}),
    "puzzles/VisualSokoban-v0": (
        SOKOBAN,
        MAX_TURNS,
        {"dim_room": (6, 6), "num_boxes": 1, "min_moves": 4, "mode": "pixel"},
    ),
    "puzzles/FrozenLake-v0": (FROZEN_LAKE, MAX_TURNS, {"size": 4, "p": 0.8, "is_slippery": False}),
    "puzzles/FrozenLake-slippery-v0": (FROZEN_LAKE, MAX_TURNS, {"size": 4, "p": 0.8, "is_slippery": True}),
    "puzzles/FrozenLake-hard-v0": (FROZEN_LAKE, MAX_TURNS, {"size": 8, "p": 0.7, "is_slippery": False}),
    "puzzles/VisualFrozenLake-v0": (
        FROZEN_LAKE,
        MAX_TURNS,
        {"size": 4, "p": 0.8, "is_slippery": False, "mode": "pixel"},
    ),
}
"""id -> (entry point, turns after which `make` truncates an episode, default kwargs)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
