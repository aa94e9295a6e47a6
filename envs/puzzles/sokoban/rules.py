"""Pure Sokoban rules: a room (walls, targets), a state (player, boxes), moves, and the text board.

Cells are integers ``row * width + col``. A room is enclosed by walls, so a move never leaves the grid.
The board uses RAGEN's symbols: ``#`` wall, ``_`` floor, ``O`` target, ``X`` box, ``√`` box on a target,
``P`` player, ``S`` player on a target (a space also reads as floor).
"""

from __future__ import annotations

import dataclasses
import functools

WALL, FLOOR, TARGET, BOX, BOX_ON_TARGET, PLAYER, PLAYER_ON_TARGET = "#", "_", "O", "X", "√", "P", "S"
DIRECTIONS = ("Up", "Down", "Left", "Right")


@dataclasses.dataclass(frozen=True)
class Room:
    """The fixed part of a level: its size, walls and targets."""

    height: int
    width: int
    walls: frozenset[int]
    targets: frozenset[int]

    def delta(self, direction: str) -> int:
        """The cell offset of one move in `direction`."""
        return {"Up": -self.width, "Down": self.width, "Left": -1, "Right": 1}[direction]

    def floor(self) -> list[int]:
        """Every cell that is not a wall, in order."""
        return [c for c in range(self.height * self.width) if c not in self.walls]


@dataclasses.dataclass(frozen=True)
class State:
    """The moving part of a level: where the player and the boxes are."""

    player: int
    boxes: frozenset[int]


def move(room: Room, state: State, direction: str) -> tuple[State, bool] | None:
    """The state after moving `direction` and whether a box was pushed, or None when the move is blocked.

    A move is blocked by a wall, or by a box whose next cell is a wall or another box.
    """
    d = room.delta(direction)
    ahead = state.player + d
    if ahead in room.walls:
        return None
    if ahead not in state.boxes:
        return State(ahead, state.boxes), False
    beyond = ahead + d
    if beyond in room.walls or beyond in state.boxes:
        return None
    return State(ahead, (state.boxes - {ahead}) | {beyond}), True


def solved(room: Room, state: State) -> bool:
    """True when every box stands on a target."""
    return state.boxes <= room.targets


def render(room: Room, state: State) -> str:
    """The board as text, one row a line (RAGEN's symbols)."""
    cells = list(_background(room))
    for box in state.boxes:
        cells[box] = BOX_ON_TARGET if box in room.targets else BOX
    cells[state.player] = PLAYER_ON_TARGET if state.player in room.targets else PLAYER
    width = room.width
    return "\n".join("".join(cells[start : start + width]) for start in range(0, len(cells), width))


@functools.lru_cache(maxsize=64)
def _background(room: Room) -> tuple[str, ...]:
    """The symbol of every cell of an empty room (walls, targets, floor), drawn once per room."""
    return tuple(
        WALL if c in room.walls else TARGET if c in room.targets else FLOOR for c in range(room.height * room.width)
    )


def parse(board: str) -> tuple[Room, State]:
    """The room and state of a text board (the inverse of `render`); ValueError when it is not a level."""
    lines = board.strip("\n").split("\n")
    height, width = len(lines), max(len(line) for line in lines)
    walls, targets, boxes, players = set(), set(), set(), []
    for r, line in enumerate(lines):
        for c, ch in enumerate(line.ljust(width, WALL)):
            cell = r * width + c
            if ch not in "#_ OX√PS":
                raise ValueError(f"unknown symbol {ch!r} at row {r}, column {c}")
            border = r in (0, height - 1) or c in (0, width - 1)
            if border and ch != WALL:
                raise ValueError(f"the level is not enclosed by walls (row {r}, column {c})")
            walls |= {cell} if ch == WALL else set()
            targets |= {cell} if ch in (TARGET, BOX_ON_TARGET, PLAYER_ON_TARGET) else set()
            boxes |= {cell} if ch in (BOX, BOX_ON_TARGET) else set()
            players += [cell] if ch in (PLAYER, PLAYER_ON_TARGET) else []
    if len(players) != 1 or len(boxes) != len(targets) or not boxes:
        raise ValueError(f"a level needs one player and as many boxes as targets (>0): {len(players)}, {len(boxes)}")
    return Room(height, width, frozenset(walls), frozenset(targets)), State(players[0], frozenset(boxes))
