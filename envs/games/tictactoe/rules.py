"""Tic-tac-toe rules as pure functions over a board tuple (no env, no text).

A board is a tuple of 9 cells, numbered row by row from 0 (top left) to 8 (bottom right);
each cell is 0 (empty), 1 (X, the first player) or 2 (O). X moves when the counts are equal.
"""

from __future__ import annotations

from functools import cache

Board = tuple[int, ...]
EMPTY: Board = (0,) * 9
LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))


def to_move(board: Board) -> int:
    """Index of the player to move: 0 (X) or 1 (O)."""
    return 0 if board.count(1) == board.count(2) else 1


def legal_moves(board: Board) -> list[int]:
    """Empty cells, in increasing order (none once the game is won)."""
    if winner(board) is not None:
        return []
    return [i for i, c in enumerate(board) if c == 0]


def play(board: Board, cell: int) -> Board:
    """The board after the player to move marks `cell`; raises ValueError for an illegal move."""
    if not 0 <= cell < 9 or board[cell] != 0 or winner(board) is not None:
        raise ValueError(f"cell {cell} is not a legal move on {board}")
    return board[:cell] + (to_move(board) + 1,) + board[cell + 1 :]


@cache
def winner(board: Board) -> int | None:
    """Index of the player with three in a row, or None."""
    for a, b, c in LINES:
        if board[a] and board[a] == board[b] == board[c]:
            return board[a] - 1
    return None


def is_over(board: Board) -> bool:
    """True when someone has won or the board is full."""
    return winner(board) is not None or 0 not in board


@cache
def value(board: Board) -> int:
    """Game value for the player to move under perfect play: 1 win, 0 draw, -1 loss."""
    if winner(board) is not None:
        return -1  # the previous player just won
    moves = legal_moves(board)
    if not moves:
        return 0
    return max(-value(play(board, m)) for m in moves)


def best_moves(board: Board) -> list[int]:
    """Every move that keeps the game value for the player to move."""
    return list(_best_moves(board))


@cache
def _best_moves(board: Board) -> tuple[int, ...]:
    moves = legal_moves(board)
    scores = [-value(play(board, m)) for m in moves]
    best = max(scores)
    return tuple(m for m, s in zip(moves, scores, strict=True) if s == best)
