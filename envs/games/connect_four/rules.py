"""Connect Four rules as pure functions over bitboards (no env, no text).

The grid has 6 rows and 7 columns; a stone drops to the lowest empty cell of its column. A board is
a pair of bitboards `(first, second)`, the stones of player 0 and player 1. Column `c` uses bits
`7c` (bottom row) to `7c + 5` (top row); bit `7c + 6` stays empty, so shifts by 1 (vertical),
7 (horizontal), 6 and 8 (diagonals) never wrap around. Player 0 moves when the counts are equal.
"""

from __future__ import annotations

ROWS, COLS = 6, 7
H = ROWS + 1
Board = tuple[int, int]
EMPTY: Board = (0, 0)
BOTTOM = tuple(1 << (c * H) for c in range(COLS))
TOP = tuple(1 << (c * H + ROWS - 1) for c in range(COLS))
COLUMN = tuple(((1 << ROWS) - 1) << (c * H) for c in range(COLS))
FULL = sum(COLUMN)
DIRECTIONS = (1, H, H - 1, H + 1)


def to_move(board: Board) -> int:
    """Index of the player to move: 0 or 1."""
    return 0 if board[0].bit_count() == board[1].bit_count() else 1


def has_four(bits: int) -> bool:
    """True when `bits` hold four in a row in any direction."""
    for d in DIRECTIONS:
        pairs = bits & (bits >> d)
        if pairs & (pairs >> (2 * d)):
            return True
    return False


def winner(board: Board) -> int | None:
    """Index of the player with four in a row, or None."""
    if has_four(board[0]):
        return 0
    return 1 if has_four(board[1]) else None


def is_full(board: Board) -> bool:
    """True when all 42 cells hold a stone."""
    return (board[0] | board[1]) == FULL


def is_over(board: Board) -> bool:
    """True when someone has four in a row or the grid is full."""
    return winner(board) is not None or is_full(board)


def open_columns(mask: int) -> list[int]:
    """Columns with room for a stone, given the occupied-cell mask."""
    return [c for c in range(COLS) if not mask & TOP[c]]


def legal_moves(board: Board) -> list[int]:
    """Columns the player to move may play (none once the game is over)."""
    if winner(board) is not None:
        return []
    return open_columns(board[0] | board[1])


def drop(mask: int, col: int) -> int:
    """The bit of the cell where a stone dropped in `col` lands (0 if the column is full)."""
    return (mask + BOTTOM[col]) & COLUMN[col]


def play(board: Board, col: int) -> Board:
    """The board after the player to move drops a stone in `col`; ValueError for an illegal move."""
    if not 0 <= col < COLS or (board[0] | board[1]) & TOP[col] or winner(board) is not None:
        raise ValueError(f"column {col} is not a legal move on this board")
    stone = drop(board[0] | board[1], col)
    return (board[0] | stone, board[1]) if to_move(board) == 0 else (board[0], board[1] | stone)


def from_moves(cols: list[int] | str) -> Board:
    """The board after the given columns were played in order (a str like "3344" works too)."""
    board = EMPTY
    for col in cols:
        board = play(board, int(col))
    return board


def cell(board: Board, row: int, col: int) -> int:
    """0 for empty, 1 for player 0's stone, 2 for player 1's; row 0 is the bottom."""
    bit = 1 << (col * H + row)
    return 1 if board[0] & bit else 2 if board[1] & bit else 0


def threats(bits: int, mask: int) -> int:
    """Empty cells that would complete four in a row for the stones `bits` (`mask`: occupied cells)."""
    found = (bits << 1) & (bits << 2) & (bits << 3)  # vertical: three below
    for d in (H, H - 1, H + 1):
        two = (bits << d) & (bits << (2 * d))
        found |= two & (bits << (3 * d))
        found |= two & (bits >> d)
        two = (bits >> d) & (bits >> (2 * d))
        found |= two & (bits << d)
        found |= two & (bits >> (3 * d))
    return found & (FULL ^ mask)
