"""Sokoban level generation by reverse play: every level is solvable by construction, with its exact optimum.

A room is carved by a random walk inside a wall border and targets are drawn on its floor. From every
solved state (each box on a target, the player on any free cell), a breadth-first search plays the game
backwards: the player walks, or pulls the box behind it (the reverse of a push). A state first reached at
depth k is exactly k moves from solved, so a state picked from the deepest layer within
``[min_moves, max_moves]`` (boxes all off their targets) is a solvable level whose ``optimal_length`` is k.
The search stops after ``max_states`` states (the layers it reached are still exact). Everything is drawn
from the given `random.Random`, so a seed always gives the same level.
"""

from __future__ import annotations

import dataclasses
import random

from agora.envs.puzzles.sokoban.rules import DIRECTIONS, Room, State

BRUSHES = (((0, 0),), ((0, 0), (0, 1)), ((0, 0), (1, 0)), ((0, 0), (0, 1), (1, 0), (1, 1)), ((0, 0), (0, -1), (0, 1)))
"""Shapes the carving walk clears around its position (a cell, pairs, a 2x2 block, a bar)."""
MAX_TRIES = 500
FLOOR_FRACTION = 0.6
"""The share of a room's inside that the carving walk turns into floor."""


@dataclasses.dataclass(frozen=True)
class Level:
    """A generated level: its room, start state and the length of its shortest solution in moves."""

    room: Room
    start: State
    optimal_length: int


def carve_room(rng: random.Random, height: int, width: int, floor_fraction: float = FLOOR_FRACTION) -> Room:
    """A room of `height` x `width` cells whose floor is carved by a random walk inside a wall border.

    The walk goes on until `floor_fraction` of the inside is floor (or ``20 * (height + width)`` steps).
    """
    r, c = rng.randrange(1, height - 1), rng.randrange(1, width - 1)
    dr, dc = rng.choice(((-1, 0), (1, 0), (0, -1), (0, 1)))
    floor: set[int] = set()
    wanted = floor_fraction * (height - 2) * (width - 2)
    for _ in range(20 * (height + width)):
        if len(floor) >= wanted:
            break
        if rng.random() < 0.35:
            dr, dc = rng.choice(((-1, 0), (1, 0), (0, -1), (0, 1)))
        if 1 <= r + dr < height - 1 and 1 <= c + dc < width - 1:
            r, c = r + dr, c + dc
        for br, bc in rng.choice(BRUSHES):
            if 1 <= r + br < height - 1 and 1 <= c + bc < width - 1:
                floor.add((r + br) * width + c + bc)
    walls = frozenset(range(height * width)) - floor
    return Room(height, width, walls, frozenset())


def pulls(room: Room, state: State) -> list[State]:
    """The states one reverse move away: the player steps back, pulling the box behind it or not."""
    before = []
    for direction in DIRECTIONS:
        d = room.delta(direction)
        ahead = state.player + d
        if ahead in room.walls or ahead in state.boxes:
            continue
        before.append(State(ahead, state.boxes))
        behind = state.player - d
        if behind in state.boxes:
            before.append(State(ahead, (state.boxes - {behind}) | {state.player}))
    return before


def reverse_layers(room: Room, max_states: int) -> list[list[State]]:
    """States by their exact distance (in moves) to a solved state: layer k holds those k moves away."""
    layers = [[State(p, room.targets) for p in room.floor() if p not in room.targets]]
    seen = set(layers[0])
    while layers[-1] and len(seen) < max_states:
        layer = []
        for state in layers[-1]:
            for before in pulls(room, state):
                if before not in seen:
                    seen.add(before)
                    layer.append(before)
        layers.append(layer)
    return [layer for layer in layers if layer]


def generate_level(
    rng: random.Random,
    dim_room: tuple[int, int] = (6, 6),
    num_boxes: int = 1,
    min_moves: int = 1,
    max_moves: int | None = None,
    max_states: int = 20_000,
) -> Level:
    """A solvable level from the deepest reachable layer in ``[min_moves, max_moves]`` (see the module docs).

    RuntimeError when `MAX_TRIES` rooms all fail (the settings ask for more than such rooms hold).
    """
    height, width = dim_room
    for _ in range(MAX_TRIES):
        room = carve_room(rng, height, width)
        floor = room.floor()
        if len(floor) < 2 * num_boxes + 2:
            continue
        room = dataclasses.replace(room, targets=frozenset(rng.sample(floor, num_boxes)))
        layers = reverse_layers(room, max_states)
        top = len(layers) - 1 if max_moves is None else min(len(layers) - 1, max_moves)
        for depth in range(top, max(min_moves, 1) - 1, -1):
            candidates = [s for s in layers[depth] if not s.boxes & room.targets]
            if candidates:
                return Level(room, rng.choice(candidates), depth)
    raise RuntimeError(
        f"no level found in {MAX_TRIES} tries for dim_room={dim_room}, num_boxes={num_boxes}, "
        f"min_moves={min_moves}, max_moves={max_moves}: relax the move bounds or enlarge the room"
    )
