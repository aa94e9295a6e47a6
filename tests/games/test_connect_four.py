"""Connect Four: bitboard rules against a plain 2-D scan, known positions, and the alpha-beta expert."""

from __future__ import annotations

import numpy as np
import pytest

import agora
from agora.envs.games.connect_four import rules, search
from agora.envs.games.connect_four.agents import AlphaBetaAgent
from agora.envs.games.connect_four.env import grid_rows

from .helpers import episode_return


def grid_winner(board: rules.Board) -> int | None:
    """Winner by scanning every 4-cell window of the 2-D grid (independent of the bitboard shifts)."""
    cells = [[rules.cell(board, r, c) for c in range(rules.COLS)] for r in range(rules.ROWS)]
    for r in range(rules.ROWS):
        for c in range(rules.COLS):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                window = [(r + k * dr, c + k * dc) for k in range(4)]
                if all(0 <= y < rules.ROWS and 0 <= x < rules.COLS for y, x in window):
                    marks = {cells[y][x] for y, x in window}
                    if len(marks) == 1 and 0 not in marks:
                        return marks.pop() - 1
    return None


# A full game found by random play that ends with all 42 cells filled and no line of four.
DRAW = "335212005014602435524223014410466566335611"


@pytest.mark.parametrize(
    ("moves", "won"),
    [
        ("3344556", 0),  # X: bottom row, columns 3-6
        ("0101010", 0),  # X: column 0, four high
        ("01123223633", 0),  # X: rising diagonal (row 0, col 0) .. (row 3, col 3)
        ("65543443033", 0),  # X: falling diagonal (row 0, col 6) .. (row 3, col 3)
        ("6554344303", None),  # the same without the last stone
        ("10506005060", None),  # X on rows 3-5 of column 0 and row 0 of column 1: no wrap-around
        ("0123456", None),
    ],
)
def test_known_positions(moves, won):
    board = rules.from_moves(moves)
    assert rules.winner(board) == won
    assert grid_winner(board) == won


def test_bitboards_agree_with_grid_scan_on_random_games():
    rng = np.random.default_rng(0)
    for _ in range(60):
        board = rules.EMPTY
        while not rules.is_over(board):
            board = rules.play(board, int(rng.choice(rules.legal_moves(board))))
            assert rules.winner(board) == grid_winner(board)


def test_full_board_draw_and_illegal_moves():
    board = rules.from_moves(DRAW)
    assert len(DRAW) == 42 and rules.is_full(board) and rules.is_over(board)
    assert rules.winner(board) is None and grid_winner(board) is None
    assert rules.legal_moves(board) == []
    column_full = rules.from_moves("000000")
    for bad in (0, 7, -1):
        with pytest.raises(ValueError):
            rules.play(column_full, bad)
    with pytest.raises(ValueError):
        rules.play(rules.from_moves("3344556"), 0)  # the game is already won


def test_threats_are_the_empty_cells_that_complete_four():
    board = rules.from_moves("334455")  # X on row 0 of columns 3-5, O above them
    mask = board[0] | board[1]
    assert rules.threats(board[0], mask) == (1 << (2 * rules.H)) | (1 << (6 * rules.H))
    assert rules.threats(board[1], mask) == (1 << (2 * rules.H + 1)) | (1 << (6 * rules.H + 1))


def test_search_takes_a_win_and_blocks_a_loss():
    assert set(search.best_moves(rules.from_moves("334455"), depth=3)) == {2, 6}
    # X holds columns 0-2 of the bottom row and O stacked two on column 6: O must block at 3.
    assert search.best_moves(rules.from_moves("06162"), depth=4) == [3]


def test_search_finds_a_double_threat():
    # X on row 0 of columns 2 and 3, both ends open: 1 or 4 makes two threats O cannot both stop.
    board = rules.from_moves("2233")
    assert set(search.best_moves(board, depth=4)) == {1, 4}
    assert max(search.scored_moves(board, depth=4).values()) > search.WIN


def test_alphabeta_beats_random_in_both_seats():
    env = agora.make("games/ConnectFour-v0", opponent="random")
    expert = AlphaBetaAgent(seed=0)
    returns = [episode_return(env, expert, seed) for seed in range(20)]
    assert returns == [1.0] * 20
    assert {env.reset(seed=s)[1]["seat"] for s in range(20)} == {0, 1}


def test_incremental_grid_matches_the_bitboards():
    game = agora.make("games/ConnectFour-v0")
    rng = np.random.default_rng(1)
    for seed in range(10):
        game.reset(seed=seed)
        while game.agents and not any(game.terminations.values()):
            game.step(str(rng.choice(game.infos[game.agent_selection]["legal_actions"])))
            assert game.infos["player_0"]["view"]["grid"] == grid_rows(game.state)


def test_env_text_and_outcome():
    game = agora.make("games/ConnectFour-v0")
    game.reset(seed=0)
    for col in "334455":
        game.step(f"I drop it in [{col}]")
    obs = game.observe("player_0")
    assert "|. . . X X X .|" in obs and "|. . . O O O .|" in obs and "Legal moves: [0], [1]" in obs
    game.step("[6]")
    assert game.rewards == {"player_0": 1.0, "player_1": -1.0}
    assert "You lost." in game.observe("player_1")
