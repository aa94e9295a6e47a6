"""Single-player grid puzzles (RAGEN-style agent RL): Sokoban and FrozenLake, in text and pixels.

Levels are generated from the seed; each env's ``oracle`` agent plays an optimal solution and
``info["optimal_length"]`` says how many moves it takes. Guide: ``docs/guides/puzzles.md``.
"""

from __future__ import annotations

from agora.registry import EnvEntry, register_all

SOKOBAN = "agora.envs.puzzles.sokoban.env:Sokoban"
FROZEN_LAKE = "agora.envs.puzzles.frozen_lake.env:FrozenLake"
MAX_TURNS = 100
"""gym-sokoban's and RAGEN's ``max_steps`` (and Gymnasium's limit for FrozenLake 4x4): the limit of the hard and
slippery ids, whose optimal play can take dozens of moves."""

# Turn limits are about twice (or more) the longest optimal solution an id deals, so the oracle always has room,
# while a random agent rarely stumbles onto the goal: the benchmark's table (docs/guides/puzzles.md) says how
# rarely, per id, over 1,000 seeds.
SOKOBAN_V0 = {"dim_room": (6, 6), "num_boxes": 1, "min_moves": 6, "max_moves": 20}
SOKOBAN_V0_TURNS = 40
SOKOBAN_EASY = {"dim_room": (6, 6), "num_boxes": 1, "min_moves": 2, "max_moves": 6}
SOKOBAN_EASY_TURNS = 20
SOKOBAN_HARD = {"dim_room": (8, 8), "num_boxes": 2, "min_moves": 12, "max_moves": 50}
FROZEN_LAKE_V0 = {"size": 4, "p": 0.8, "is_slippery": False}
FROZEN_LAKE_V0_TURNS = 15
"""Every 4x4 map's start and goal are 6 moves apart."""

ENVS: dict[str, EnvEntry] = {
    "puzzles/Sokoban-v0": (SOKOBAN, SOKOBAN_V0_TURNS, SOKOBAN_V0),
    "puzzles/Sokoban-easy-v0": (SOKOBAN, SOKOBAN_EASY_TURNS, SOKOBAN_EASY),
    "puzzles/Sokoban-hard-v0": (SOKOBAN, MAX_TURNS, SOKOBAN_HARD),
    "puzzles/VisualSokoban-v0": (SOKOBAN, SOKOBAN_V0_TURNS, {**SOKOBAN_V0, "mode": "pixel"}),
    "puzzles/FrozenLake-v0": (FROZEN_LAKE, FROZEN_LAKE_V0_TURNS, FROZEN_LAKE_V0),
    "puzzles/FrozenLake-slippery-v0": (FROZEN_LAKE, MAX_TURNS, {"size": 4, "p": 0.8, "is_slippery": True}),
    "puzzles/FrozenLake-hard-v0": (FROZEN_LAKE, MAX_TURNS, {"size": 8, "p": 0.7, "is_slippery": False}),
    "puzzles/VisualFrozenLake-v0": (FROZEN_LAKE, FROZEN_LAKE_V0_TURNS, {**FROZEN_LAKE_V0, "mode": "pixel"}),
}
"""id -> (entry point, turns after which `make` truncates an episode, default kwargs)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
