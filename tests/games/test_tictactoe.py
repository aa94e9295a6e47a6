from __future__ import annotations

import pytest

import agora
from agora.envs.games.tictactoe import rules
from agora.envs.games.tictactoe.agents import MinimaxAgent


def board(text: str) -> rules.Board:
    """'X.O......' -> board tuple (X=1, O=2)."""
    return tuple({".": 0, "X": 1, "O": 2}[c] for c in text)


def test_empty_board_is_a_draw_under_perfect_play() -> None:
    assert rules.value(rules.EMPTY) == 0


@pytest.mark.parametrize(
    ("position", "winner"),
    [
        ("XXXOO....", 0),
        ("XX.OOOX..", 1),
        ("X.O.XO..X", 0),
        ("XXO.O.O.X", 1),
    ],
)
def test_winner_on_known_positions(position: str, winner: int) -> None:
    assert rules.winner(board(position)) == winner


def test_known_best_moves() -> None:
    # X to move with two in a row must complete it.
    assert rules.best_moves(board("XX.OO....")) == [2]
    # O to move must block X's row... and here O can win instead at 5.
    assert rules.best_moves(board("XX.OO.X..")) == [5]
    # After X takes a corner, the only drawing replies for O are the centre.
    assert rules.best_moves(board("X........")) == [4]


def test_illegal_play_raises() -> None:
    with pytest.raises(ValueError):
        rules.play(board("X........"), 0)


def _play(first: agora.Agent, second: agora.Agent, seed: int) -> list[float]:
    env = agora.make("games/TicTacToe-v0")
    env.reset(seed=seed)
    agents = {"player_0": first, "player_1": second}
    for agent in agents.values():
        agent.reset(seed=seed)
    for name in env.agent_iter():
        obs, _, term, trunc, info = env.last()
        env.step(None if term or trunc else agents[name].act(obs, info))
    return env.unwrapped.outcome


def test_minimax_against_itself_always_draws() -> None:
    for seed in range(20):
        assert _play(MinimaxAgent(), MinimaxAgent(), seed) == [0.0, 0.0]


def test_minimax_never_loses_to_random() -> None:
    for seed in range(60):
        first = _play(MinimaxAgent(), agora.RandomAgent(), seed)
        second = _play(agora.RandomAgent(), MinimaxAgent(), seed)
        assert first[0] >= 0 and second[1] >= 0


def test_render_marks_and_legal_moves() -> None:
    env = agora.make("games/TicTacToe-v0")
    env.reset(seed=0)
    env.step("I take the centre: [4]")
    obs = env.observe("player_1")
    assert " X " in obs and "You are O" in obs and "[4]" not in env.infos["player_1"]["legal_actions"]
    assert env.infos["player_1"]["state_key"] == board("....X....")
