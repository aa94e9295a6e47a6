"""FrozenLake boards as text (RAGEN's symbols), shortest paths, and the optimal policy on slippery ice.

Maps are Gymnasium's (rows of ``S`` start, ``F`` frozen, ``H`` hole, ``G`` goal). The text board shows
``P`` the player, ``_`` frozen ice (the start too), ``O`` a hole, ``G`` the goal, ``X`` the player in a hole
and ``√`` the player on the goal.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Sequence

import numpy as np

ACTIONS = {"Left": 0, "Down": 1, "Right": 2, "Up": 3}
"""Move names -> Gymnasium's FrozenLake action numbers."""
_STEPS = {"Left": (0, -1), "Down": (1, 0), "Right": (0, 1), "Up": (-1, 0)}
_SYMBOLS = {"S": "_", "F": "_", "H": "O", "G": "G"}
_ON = {"S": "P", "F": "P", "H": "X", "G": "√"}
_MAP = {"_": "F", "P": "F", "O": "H", "G": "G", "X": "H", "√": "G"}


def board_rows(desc: Sequence[str]) -> list[str]:
    """The text rows of a map without the player."""
    return ["".join(_SYMBOLS[ch] for ch in row) for row in desc]


def render(desc: Sequence[str], rows: Sequence[str], position: int) -> str:
    """The text board with the player at cell `position` (``row * size + col``); `rows` from `board_rows`."""
    r, c = divmod(position, len(desc[0]))
    lines = list(rows)
    lines[r] = lines[r][:c] + _ON[desc[r][c]] + lines[r][c + 1 :]
    return "\n".join(lines)


def parse(board: str) -> tuple[list[str], int]:
    """The Gymnasium map (start at the top left) and the player's cell of a text board."""
    lines = board.strip("\n").split("\n")
    width = len(lines[0])
    found = [r * width + c for r, line in enumerate(lines) for c, ch in enumerate(line) if ch in "PX√"]
    if len(found) != 1 or any(len(line) != width for line in lines):
        raise ValueError("a FrozenLake board is a rectangle with exactly one player")
    desc = ["".join(_MAP[ch] for ch in line) for line in lines]
    desc[0] = "S" + desc[0][1:]
    return desc, found[0]


def shortest_path(desc: Sequence[str], start: int = 0) -> list[str] | None:
    """A shortest move sequence from `start` to the goal on non-slippery ice avoiding holes, or None."""
    height, width = len(desc), len(desc[0])
    came: dict[int, tuple[int, str] | None] = {start: None}
    frontier = deque([start])
    while frontier:
        cell = frontier.popleft()
        r, c = divmod(cell, width)
        if desc[r][c] == "G":
            path = []
            while came[cell] is not None:
                cell, name = came[cell]
                path.append(name)
            return path[::-1]
        if desc[r][c] == "H":
            continue
        for name, (dr, dc) in _STEPS.items():
            nr, nc = r + dr, c + dc
            nxt = nr * width + nc
            if 0 <= nr < height and 0 <= nc < width and nxt not in came:
                came[nxt] = (cell, name)
                frontier.append(nxt)
    return None


def optimal_policy(transitions: dict, tolerance: float = 1e-9) -> tuple[dict[int, str], list[float]]:
    """The policy that maximises the chance of reaching the goal, and that chance from each cell.

    `transitions` is Gymnasium's ``FrozenLakeEnv.P`` (state -> action -> [(prob, next, reward, done)]),
    so the model is upstream's own. Value iteration without discount on the reach probability,
    vectorised over states and actions.
    """
    n = len(transitions)
    moves = np.zeros((n, 4, n))  # moves[s, a, s']: chance of going on from s to s' (not ending there)
    gain = np.zeros((n, 4))  # expected reward of taking a in s
    for s, by_action in transitions.items():
        for a, outcomes in by_action.items():
            for p, nxt, r, done in outcomes:
                gain[s, a] += p * r
                if not done:
                    moves[s, a, nxt] += p
    value = np.zeros(n)
    for _ in range(100_000):
        q = gain + moves @ value
        new = q.max(axis=1)
        if np.abs(new - value).max() < tolerance:
            value = new
            break
        value = new
    q = gain + moves @ value
    names = {a: name for name, a in ACTIONS.items()}
    policy = {s: names[int(np.argmax(q[s] > q[s].max() - 1e-9))] for s in range(n)}
    return policy, value.tolist()


@functools.lru_cache(maxsize=256)
def slippery_optimum(desc: tuple[str, ...]) -> tuple[dict[int, str], list[float]]:
    """`optimal_policy` of a map on slippery ice, from Gymnasium's own transition table (cached per map)."""
    from gymnasium.envs.toy_text.frozen_lake import FrozenLakeEnv

    return optimal_policy(FrozenLakeEnv(desc=list(desc), is_slippery=True).P)
