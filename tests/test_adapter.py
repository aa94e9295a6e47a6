from __future__ import annotations

import pytest

import agora
from agora.errors import GameSetupError, ResetNeeded, UnknownAgentError


def test_learner_seat_and_opponent_moves() -> None:
    env = agora.make("games/TicTacToe-v0", opponent="minimax", seat=1)
    obs, info = env.reset(seed=0)
    assert info["seat"] == 1 and "You are O" in obs
    assert sum(c != 0 for c in info["view"]["board"]) == 1  # X already moved


def test_reward_at_game_end_against_perfect_opponent() -> None:
    env = agora.make("games/TicTacToe-v0", opponent="minimax", seat=0)
    total, done, (obs, info) = 0.0, False, env.reset(seed=1)
    while not done:  # always the first legal move: minimax wins
        obs, reward, done, _, info = env.step(info["legal_actions"][0])
        total += reward
    assert total == -1.0 and info["outcome"] == -1.0


def test_seat_option_overrides_per_episode() -> None:
    env = agora.make("games/KuhnPoker-v0", opponent="nash")
    assert env.reset(seed=0, options={"seat": 1})[1]["seat"] == 1
    assert env.reset(seed=0, options={"seat": 0})[1]["seat"] == 0


def test_same_seed_same_game() -> None:
    env = agora.make("games/KuhnPoker-v0", opponent="nash")
    assert env.reset(seed=7) == env.reset(seed=7)


def test_step_before_reset_and_after_end_raise_with_advice() -> None:
    env = agora.make("games/TicTacToe-v0", opponent="random")
    with pytest.raises(ResetNeeded, match="reset"):
        env.step("[4]")
    game = agora.make("games/TicTacToe-v0")
    with pytest.raises(ResetNeeded, match=r"Call env.reset\(\)"):
        game.step("[4]")


def test_non_string_action_raises_type_error() -> None:
    env = agora.make("games/TicTacToe-v0", opponent="random")
    env.reset(seed=0)
    with pytest.raises(TypeError, match="expected str, got int"):
        env.step(4)


def test_random_strings_give_error_observations() -> None:
    env = agora.make("games/TicTacToe-v0", opponent="random", seat=0)
    _, info = env.reset(seed=0)
    env.action_space.seed(0)
    obs, reward, terminated, _, info = env.step(env.action_space.sample())
    assert info["error"] and obs.startswith("Invalid move") and reward == 0.0 and not terminated


def test_unknown_opponent_lists_known_ones() -> None:
    with pytest.raises(UnknownAgentError, match="minimax, random"):
        agora.make("games/TicTacToe-v0", opponent="grandmaster")


def test_opponent_count_must_match_seats() -> None:
    with pytest.raises(GameSetupError, match="1 opponent seat"):
        agora.make("games/TicTacToe-v0", opponent=["random", "random"])


def test_crashing_opponent_forfeits() -> None:
    def broken(obs: str, info: dict) -> str:
        raise RuntimeError("boom")

    env = agora.make("games/TicTacToe-v0", opponent=agora.FunctionAgent(broken), seat=0)
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step("[4]")
    assert terminated and reward == 1.0 and info["outcome"] == 1.0


def test_non_text_opponent_forfeits_by_the_engines_rule() -> None:
    env = agora.make("games/TicTacToe-v0", opponent=agora.FunctionAgent(lambda obs, info: 42), seat=0)
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step("[4]")  # the opponent's int is an invalid move: a retry, then forfeit
    assert terminated and reward == 1.0 and info["outcome"] == 1.0


def test_a_game_the_opponent_ends_before_the_learner_moves_ends_at_the_first_step() -> None:
    env = agora.make("games/Nim-v0", opponent="random", seat=1, piles=[1])  # the opponent takes the only object
    obs, info = env.reset(seed=3)
    assert info["outcome"] == -1.0 and "Game over" in obs
    obs, reward, terminated, truncated, step_info = env.step("[anything]")  # the action is not played
    assert (reward, terminated, truncated) == (-1.0, True, False) and step_info["outcome"] == -1.0
    assert step_info["legal_actions"] is not info["legal_actions"]  # new info data, as Gymnasium asks
    with pytest.raises(ResetNeeded, match="game is over"):
        env.step("[0]")
    agora.check_env(agora.make("games/Nim-v0", opponent="random", piles=[5]))  # some seeds end at reset
