"""Sokoban: push every box onto a target. Procedural levels, solvable by construction, with known optima.

**Upstream and generated.** No Sokoban package is used: the rules, the level generator and the solver are
agora's own (`agora.envs.puzzles.sokoban`), with gym-sokoban's symbols and rewards, as RAGEN uses them.
Every level is generated from the seed.

**Level.** A ``dim_room`` (height, width, walls included) room carved at random, with ``num_boxes``
boxes and as many targets, drawn from the seed by reverse play (`agora.envs.puzzles.sokoban.tasks`): the
solved level played backwards, so every level is solvable, and its shortest solution in moves is known
exactly (between ``min_moves`` and ``max_moves``). ``info["optimal_length"]`` holds it.
``reset(options={"level": board})`` plays a given board instead (the symbols below, ``dim_room`` in size,
solvable within the solver's budget).

**Observation.** ``mode="text"``: a feedback line, then the board in RAGEN's symbols: ``#`` wall,
``_`` floor, ``O`` target, ``X`` box, ``√`` box on a target, ``P`` player, ``S`` player on a target.
``mode="pixel"`` (``puzzles/VisualSokoban-v0``): ``{"text": feedback, "image": uint8 array}`` with
16-pixel tiles (brick walls, red-ringed targets, brown boxes, green boxes on targets, the player).

**Action format.** ``Up``, ``Down``, ``Left`` or ``Right``, inside ``<answer></answer>`` or as the whole
reply (up to ``actions_per_turn`` moves, comma-separated). Walking into a wall, or pushing a box into a
wall or another box, leaves the board unchanged (and still costs the step penalty).

**Rewards** (gym-sokoban's, as RAGEN uses them). -0.1 per move; +1 for pushing a box onto a target,
-1 for pushing one off; +10 when the last box reaches its target, which ends the episode. A reply
that holds no move earns -0.1 with ``info["error"]`` and changes nothing. The registered ids stop an
episode after about twice the longest optimal solution they deal: 40 turns for ``Sokoban-v0`` and
``VisualSokoban-v0`` (6 to 20 moves), 20 for ``Sokoban-easy-v0`` (2 to 6), 100 for ``Sokoban-hard-v0``
(12 to 50, RAGEN's ``max_steps``), so the oracle always finishes while a random agent solves about 4%, 5%
and 0% of levels (1,000 seeds; the table is in the puzzles guide).

**Splits and the papers.** There are no fixed splits: a seed is a level. RAGEN's Sokoban is a 6x6 room
with one box, as ``Sokoban-v0`` here; hold levels out for evaluation by drawing them from a seed range
that training never uses (for example training seeds below 1,000,000 and evaluation seeds above).

**Info.** ``instructions``, ``legal_actions``, ``state_key`` (the board as text), ``optimal_length``,
``boxes_on_target``. The ``oracle`` agent solves the board of ``state_key`` with an exact A* solver and
plays a shortest solution.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

import numpy as np

from agora.envs.puzzles import pixels
from agora.envs.puzzles.base import ANSWER_FORMAT, GridPuzzleEnv
from agora.envs.puzzles.sokoban.rules import Room, State, move, parse, render, solved
from agora.envs.puzzles.sokoban.solver import SearchLimitReached, solve
from agora.envs.puzzles.sokoban.tasks import generate_level

STEP_REWARD, ON_TARGET_REWARD, SOLVED_REWARD = -0.1, 1.0, 10.0
WALL, FLOOR, TARGET, BOX, BOX_ON_TARGET, PLAYER, PLAYER_ON_TARGET = range(7)


def _tiles() -> np.ndarray:
    floor = pixels.solid((40, 40, 48))
    target = pixels.with_frame(floor, (220, 60, 60), 4, 2)
    box = pixels.with_frame(pixels.with_square(floor, (170, 110, 50), 2), (110, 65, 25), 2, 2)
    box_on_target = pixels.with_frame(pixels.with_square(floor, (70, 170, 80), 2), (35, 110, 45), 2, 2)
    player = pixels.figure(floor, (60, 110, 220), (240, 200, 160))
    player_on_target = pixels.figure(target, (60, 110, 220), (240, 200, 160))
    wall = pixels.brick((90, 90, 90), (150, 75, 55))
    return np.stack([wall, floor, target, box, box_on_target, player, player_on_target])


TILES = _tiles()
"""Tile images indexed by the codes above (WALL ... PLAYER_ON_TARGET)."""


class Sokoban(GridPuzzleEnv):
    """Push every box onto a target (see the module docs)."""

    invalid_action_reward: ClassVar[float] = STEP_REWARD
    scripted_agents: ClassVar[dict[str, str]] = {"oracle": "agora.envs.puzzles.sokoban.agents:OracleAgent"}

    def __init__(
        self,
        dim_room: tuple[int, int] = (6, 6),
        num_boxes: int = 1,
        min_moves: int = 1,
        max_moves: int | None = None,
        mode: str = "text",
        actions_per_turn: int = 1,
        render_mode: str | None = None,
    ):
        height, width = (int(x) for x in dim_room)
        if not (3 <= height <= 16 and 3 <= width <= 16):
            raise ValueError(f"dim_room sides must be from 3 to 16 (walls included), got {tuple(dim_room)}")
        if not 1 <= num_boxes <= (height - 2) * (width - 2) // 3:
            raise ValueError(f"num_boxes must be from 1 to a third of the room's inside, got {num_boxes}")
        if min_moves < 1 or (max_moves is not None and max_moves < min_moves):
            raise ValueError(f"need 1 <= min_moves <= max_moves, got {min_moves}, {max_moves}")
        self.dim_room, self.num_boxes = (height, width), num_boxes
        self.min_moves, self.max_moves = min_moves, max_moves
        super().__init__(mode=mode, actions_per_turn=actions_per_turn, render_mode=render_mode)
        self.room: Room | None = None
        self.state: State | None = None

    def _instructions(self) -> str:
        return (
            "You are solving a Sokoban puzzle: push every box onto a target. You push a box by walking into "
            "it; you cannot pull boxes, and a box cannot be pushed into a wall or another box. Symbols: # wall, "
            "_ floor, O target, X box, √ box on target, P you, S you on a target. Moves: Up, Down, Left, Right. "
            f"Rewards: -0.1 per move, +1 for a box pushed onto a target, +10 when all are on targets. {ANSWER_FORMAT}"
        )

    def _new_level(self, rng: random.Random, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if "level" in options:
            return self._given_level(str(options["level"]))
        level = generate_level(rng, self.dim_room, self.num_boxes, self.min_moves, self.max_moves)
        self.room, self.state = level.room, level.start
        extras = {"optimal_length": level.optimal_length, "boxes_on_target": 0}
        return f"A new Sokoban level with {self.num_boxes} box(es).", extras

    def _given_level(self, board: str) -> tuple[str, dict[str, Any]]:
        room, state = parse(board)
        if (room.height, room.width) != self.dim_room:
            raise ValueError(f"options['level'] is {room.height}x{room.width}; this env's dim_room is {self.dim_room}")
        try:
            solution = solve(room, state)
        except SearchLimitReached:
            solution = None
        if solution is None:
            raise ValueError("options['level'] has no solution the solver can find")
        self.room, self.state = room, state
        extras = {"optimal_length": len(solution), "boxes_on_target": len(state.boxes & room.targets)}
        return f"A Sokoban level with {len(state.boxes)} box(es).", extras

    def _move(self, direction: str) -> tuple[float, bool, str]:
        result = move(self.room, self.state, direction)
        if result is None:
            return STEP_REWARD, False, "blocked."
        before = len(self.state.boxes & self.room.targets)
        self.state, pushed = result
        after = len(self.state.boxes & self.room.targets)
        self._extras["boxes_on_target"] = after
        reward = STEP_REWARD + ON_TARGET_REWARD * (after - before)
        if solved(self.room, self.state):
            return reward + SOLVED_REWARD, True, "pushed the last box onto its target. Solved!"
        note = (
            "pushed a box onto a target." if after > before else "pushed a box off a target." if after < before else ""
        )
        return reward, False, note or ("pushed a box." if pushed else "moved.")

    def _board(self) -> str:
        return render(self.room, self.state)

    def _image_shape(self) -> tuple[int, int, int]:
        return (self.dim_room[0] * pixels.TILE, self.dim_room[1] * pixels.TILE, 3)

    def _image(self) -> np.ndarray:
        room, state = self.room, self.state
        codes = np.full(room.height * room.width, FLOOR, np.intp)
        codes[list(room.walls)] = WALL
        codes[list(room.targets)] = TARGET
        for box in state.boxes:
            codes[box] = BOX_ON_TARGET if box in room.targets else BOX
        codes[state.player] = PLAYER_ON_TARGET if state.player in room.targets else PLAYER
        return pixels.compose(codes.reshape(room.height, room.width), TILES)

    def __repr__(self) -> str:
        return f"<Sokoban {self.dim_room[0]}x{self.dim_room[1]} boxes={self.num_boxes} mode={self.mode}>"
