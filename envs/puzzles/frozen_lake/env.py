"""FrozenLake: walk across a frozen lake to the goal without falling into a hole (Gymnasium's env inside).

**Upstream and generated.** Upstream is the ``gymnasium`` wheel (PyPI; the version is at the end of this
page): its map generator, its ``FrozenLakeEnv`` with its transition table and slippery dynamics, and its
rewards. agora adds the text and pixel boards, the move parser, ``optimal_length``,
``success_probability`` and the oracle.

**Level.** A ``size`` x ``size`` map from Gymnasium's own ``generate_random_map(size, p, seed)`` (each
tile frozen with probability ``p``, else a hole; always a path from the start, top left, to the goal,
bottom right), seeded from the episode seed. Moves follow Gymnasium's ``FrozenLakeEnv`` on that map,
with ``is_slippery`` as given: on slippery ice its ``step`` plays each move (the intended way or to either
side, one third each); on non-slippery ice, where a move has one outcome, it is read from the same env's
transition table ``P``, which is what its ``step`` reads (skipping a random draw that cannot change it).
``info["optimal_length"]`` is the fewest moves to the goal on non-slippery ice; on slippery ice
``info["success_probability"]`` is the best policy's chance to arrive.
``reset(options={"map": rows})`` plays a given map in Gymnasium's format (e.g. ``["SFFF", "FHFH", ...]``).

**Observation.** ``mode="text"``: a feedback line and the board in RAGEN's symbols: ``P`` you, ``_``
frozen, ``O`` hole, ``G`` goal, ``X`` you in a hole, ``√`` you on the goal. ``mode="pixel"``
(``puzzles/VisualFrozenLake-v0``): ``{"text": feedback, "image": uint8 array}`` with 16-pixel tiles.

**Action format.** ``Up``, ``Down``, ``Left`` or ``Right``, inside ``<answer></answer>`` or as the whole
reply (up to ``actions_per_turn`` moves, comma-separated). A move against the edge stays in place.

**Rewards** (Gymnasium's). 1 on reaching the goal, 0 otherwise; the episode ends at the goal or in a
hole. A reply that holds no move earns 0 with ``info["error"]``. ``FrozenLake-v0`` and
``VisualFrozenLake-v0`` stop an episode after 15 turns (every 4x4 map's goal is 6 moves away), so a
random agent reaches the goal in about 3% of episodes (1,000 seeds); ``FrozenLake-hard-v0`` (8x8: 0%)
and ``FrozenLake-slippery-v0`` after 100 (Gymnasium's limit for 4x4), since optimal play on slippery ice
takes long detours; there a random agent arrives in about 10% of episodes and the oracle in about 65%.

**Splits and the papers.** There are no fixed splits: a seed is a map. RAGEN's FrozenLake is a random 4x4
map with ``p=0.8`` on slippery ice (``FrozenLake-slippery-v0``); VAGEN's uses the same maps on
non-slippery ice (``FrozenLake-v0``, ``VisualFrozenLake-v0``). Hold maps out for evaluation by drawing
them from a seed range that training never uses.

**Info.** ``instructions``, ``legal_actions``, ``state_key`` (the board as text), ``optimal_length``,
``success_probability`` (slippery only). The ``oracle`` agent walks a shortest path on non-slippery
ice and follows the optimal policy (value iteration on Gymnasium's transition table) on slippery ice.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

import numpy as np
from gymnasium.envs.toy_text.frozen_lake import FrozenLakeEnv, generate_random_map

from agora.envs.puzzles import pixels
from agora.envs.puzzles.base import ANSWER_FORMAT, GridPuzzleEnv
from agora.envs.puzzles.frozen_lake.rules import ACTIONS, board_rows, render, shortest_path, slippery_optimum

FROZEN, HOLE, GOAL, PLAYER, PLAYER_IN_HOLE, PLAYER_ON_GOAL = range(6)
_CODES = {"S": FROZEN, "F": FROZEN, "H": HOLE, "G": GOAL}


def _tiles() -> np.ndarray:
    ice = pixels.with_frame(pixels.solid((200, 230, 245)), (170, 205, 225), 0)
    hole = pixels.with_disc(ice, (20, 40, 90), 6.5)
    goal = pixels.with_disc(pixels.with_square(ice, (250, 210, 60), 3), (230, 120, 30), 2.5)
    body, head = (200, 50, 50), (240, 200, 160)
    return np.stack([ice, hole, goal, pixels.figure(ice, body, head), pixels.figure(hole, body, head),
                     pixels.figure(goal, body, head)])  # fmt: skip


TILES = _tiles()
"""Tile images indexed by the codes above (FROZEN ... PLAYER_ON_GOAL)."""


def _given_map(rows: Any, size: int) -> list[str]:
    desc = [str(row) for row in rows]
    if len(desc) != size or any(len(row) != size or set(row) - set("SFHG") for row in desc):
        raise ValueError(f"options['map'] must be {size} rows of {size} letters S/F/H/G (Gymnasium's map format)")
    if desc[0][0] != "S" or "".join(desc).count("S") != 1 or shortest_path(desc) is None:
        raise ValueError("options['map'] needs one start S at the top left and a path to a goal G")
    return desc


class FrozenLake(GridPuzzleEnv):
    """Cross the ice to the goal (see the module docs)."""

    invalid_action_reward: ClassVar[float] = 0.0
    scripted_agents: ClassVar[dict[str, str]] = {"oracle": "agora.envs.puzzles.frozen_lake.agents:OracleAgent"}
    upstream_distributions: ClassVar[tuple[str, ...]] = ("gymnasium",)

    def __init__(
        self,
        size: int = 4,
        p: float = 0.8,
        is_slippery: bool = False,
        mode: str = "text",
        actions_per_turn: int = 1,
        render_mode: str | None = None,
    ):
        if not isinstance(size, int) or not 2 <= size <= 16:
            raise ValueError(f"size must be an int from 2 to 16, got {size!r}")
        if not 0.3 <= p <= 1.0:
            raise ValueError(f"p (the chance a tile is frozen) must be from 0.3 to 1, got {p!r}")
        self.size, self.p, self.is_slippery = size, float(p), bool(is_slippery)
        super().__init__(mode=mode, actions_per_turn=actions_per_turn, render_mode=render_mode)
        self.lake: FrozenLakeEnv | None = None
        self.desc: list[str] = []
        self._rows: list[str] = []
        self._cells = ""
        """The map's letters, row after row: ``_cells[position]`` is the tile at a cell."""
        self._boards: list[str | None] = []
        """The text board with the player on each cell, rendered when first needed (per map)."""

    def _instructions(self) -> str:
        slip = " The ice is slippery: a move may go sideways instead." if self.is_slippery else ""
        return (
            "You are walking on a frozen lake: reach the goal G without falling into a hole O. Symbols: P you, "
            f"_ frozen ice, O hole, G goal, X you in a hole, √ you on the goal. Moves: Up, Down, Left, Right.{slip} "
            f"Reward 1 at the goal, 0 otherwise. {ANSWER_FORMAT}"
        )

    def _new_level(self, rng: random.Random, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        map_seed = rng.randrange(2**31)
        self.desc = (
            _given_map(options["map"], self.size)
            if "map" in options
            else generate_random_map(self.size, self.p, seed=map_seed)
        )
        self._rows = board_rows(self.desc)
        self._cells = "".join(self.desc)
        self._boards = [None] * (self.size * self.size)
        self.lake = FrozenLakeEnv(desc=self.desc, is_slippery=self.is_slippery)
        self.lake.reset(seed=rng.randrange(2**31))
        extras: dict[str, Any] = {"optimal_length": len(shortest_path(self.desc))}
        if self.is_slippery:
            extras["success_probability"] = round(slippery_optimum(tuple(self.desc))[1][0], 6)
        return f"A new {self.size}x{self.size} frozen lake.", extras

    def _move(self, direction: str) -> tuple[float, bool, str]:
        lake, action = self.lake, ACTIONS[direction]
        before = lake.s
        if self.is_slippery:
            position, reward, terminated, _, _ = lake.step(action)
        else:  # one outcome per move: Gymnasium's step would draw a number that cannot change it
            _, position, reward, terminated = lake.P[before][action][0]
            lake.s, lake.lastaction = position, action  # what FrozenLakeEnv.step sets
        tile = self._cells[position]
        if tile == "G":
            return float(reward), True, "you reached the goal!"
        if tile == "H":
            return float(reward), True, "you fell into a hole."
        return float(reward), bool(terminated), "you stayed in place." if position == before else "moved."

    def _board(self) -> str:
        position = int(self.lake.s)
        board = self._boards[position]
        if board is None:
            board = self._boards[position] = render(self.desc, self._rows, position)
        return board

    def _image_shape(self) -> tuple[int, int, int]:
        return (self.size * pixels.TILE, self.size * pixels.TILE, 3)

    def _image(self) -> np.ndarray:
        codes = np.array([[_CODES[ch] for ch in row] for row in self.desc], np.intp)
        r, c = divmod(int(self.lake.s), self.size)
        codes[r, c] += PLAYER  # FROZEN/HOLE/GOAL -> PLAYER/PLAYER_IN_HOLE/PLAYER_ON_GOAL
        return pixels.compose(codes, TILES)

    def __repr__(self) -> str:
        return f"<FrozenLake {self.size}x{self.size} p={self.p} slippery={self.is_slippery} mode={self.mode}>"
