"""An exact Sokoban solver: A* over (player, boxes) with move count as the cost, bounded in expansions.

The heuristic is the sum, over boxes, of each box's push distance to its nearest target ignoring the
other boxes (`push_distances`): every push moves one box one cell and costs one move, so it never
overestimates and A* returns a shortest solution in moves. Cells from which a box can reach no target
(dead squares) are pruned.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque

from agora.envs.puzzles.sokoban.rules import DIRECTIONS, Room, State, move, solved

DEFAULT_MAX_EXPANSIONS = 200_000


class SearchLimitReached(RuntimeError):
    """The solver expanded `max_expansions` states without settling whether the level is solvable."""


def push_distances(room: Room) -> dict[int, int]:
    """Fewest pushes that bring a box from each cell to a target, alone in the room (dead squares absent)."""
    distance = dict.fromkeys(room.targets, 0)
    frontier = deque(room.targets)
    while frontier:
        cell = frontier.popleft()
        for direction in DIRECTIONS:
            d = room.delta(direction)
            before, player = cell - d, cell - 2 * d  # a box at `before`, pushed by a player at `player`
            if before not in distance and before not in room.walls and player not in room.walls:
                distance[before] = distance[cell] + 1
                frontier.append(before)
    return distance


def solve(room: Room, state: State, max_expansions: int = DEFAULT_MAX_EXPANSIONS) -> list[str] | None:
    """A shortest move sequence that solves the level, or None when none exists.

    Raises `SearchLimitReached` after `max_expansions` expanded states without an answer.
    """
    distance = push_distances(room)

    def estimate(boxes: frozenset[int]) -> int | None:
        total = 0
        for box in boxes:
            if box not in distance:
                return None
            total += distance[box]
        return total

    start_h = estimate(state.boxes)
    if start_h is None:
        return None
    tie = itertools.count()
    frontier = [(start_h, 0, next(tie), state)]  # (f, -g: deeper first on ties, order, state)
    came_from: dict[State, tuple[State, str] | None] = {state: None}
    best_g = {state: 0}
    expansions = 0
    while frontier:
        _, neg_g, _, current = heapq.heappop(frontier)
        g = -neg_g
        if g > best_g[current]:
            continue
        if solved(room, current):
            return _path(came_from, current)
        expansions += 1
        if expansions > max_expansions:
            raise SearchLimitReached(f"no answer after {max_expansions} expanded states")
        for direction in DIRECTIONS:
            result = move(room, current, direction)
            if result is None:
                continue
            nxt, pushed = result
            h = estimate(nxt.boxes) if pushed else None
            if pushed and h is None:
                continue
            if nxt not in best_g or g + 1 < best_g[nxt]:
                best_g[nxt], came_from[nxt] = g + 1, (current, direction)
                h = h if pushed else estimate(nxt.boxes)
                heapq.heappush(frontier, (g + 1 + h, -(g + 1), next(tie), nxt))
    return None


def _path(came_from: dict[State, tuple[State, str] | None], state: State) -> list[str]:
    moves = []
    while came_from[state] is not None:
        state, direction = came_from[state]
        moves.append(direction)
    return moves[::-1]
