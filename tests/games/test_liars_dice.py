"""Liar's Dice: bid order, challenge results on known dice, binomial odds by hand, the env and the expert."""

from __future__ import annotations

import pytest

import agora
from agora.envs.games.liars_dice import rules
from agora.envs.games.liars_dice.agents import ProbabilisticAgent
from agora.errors import GameSetupError

from .helpers import episode_return


def test_bid_order_and_legal_bids():
    assert rules.is_higher((2, 3), (1, 6)) and rules.is_higher((2, 4), (2, 3))
    assert not rules.is_higher((2, 3), (2, 3)) and not rules.is_higher((1, 6), (2, 1))
    assert rules.legal_bids((2, 6), 4) == tuple((q, f) for q in (3, 4) for f in range(1, 7))
    assert len(rules.legal_bids(None, 10)) == 60
    assert rules.legal_bids((10, 6), 10) == ()


def test_challenge_results_on_known_dice():
    dice = ((2, 5, 5), (1, 1, 5))
    assert rules.count(dice[0] + dice[1], 5) == 3
    assert rules.challenge_winner(dice, (3, 5), bidder=0) == 0  # exactly three 5s: the bid holds
    assert rules.challenge_winner(dice, (4, 5), bidder=0) == 1  # only three: the caller wins
    assert rules.challenge_winner(dice, (2, 1), bidder=1) == 1
    assert rules.challenge_winner(dice, (1, 6), bidder=1) == 0  # no 6 anywhere


def test_binomial_odds_computed_by_hand():
    assert rules.at_least(1, 2) == pytest.approx(11 / 36)  # 1 - (5/6)^2
    assert rules.at_least(2, 3) == pytest.approx((3 * 5 + 1) / 216)  # 3 ways x 5 + all three
    assert rules.at_least(0, 5) == 1.0 and rules.at_least(6, 5) == 0.0
    # Holding two 4s with 3 hidden dice, "three 4s" needs one more 4 among the hidden dice.
    assert rules.bid_probability((4, 4, 1), 3, (3, 4)) == pytest.approx(1 - (5 / 6) ** 3)


def test_expert_calls_impossible_bids_and_raises_safe_ones():
    agent = ProbabilisticAgent(seed=0)
    view = {"dice": [1, 2, 3], "opponent_dice": 3, "bids": [[5, 6]], "player": 1}
    assert agent.act("", {"view": view}) == "[liar]"  # five 6s need 5 of 3 hidden dice
    view = {"dice": [6, 6, 6], "opponent_dice": 3, "bids": [[2, 6]], "player": 1}
    assert agent.act("", {"view": view}) == "[3 6]"  # three 6s certainly hold: raise, don't call
    view = {"dice": [2, 2, 5], "opponent_dice": 3, "bids": [], "player": 0}
    assert agent.act("", {"view": view}) in ("[1 2]", "[1 5]")  # opening bids that surely hold


def test_env_hand_to_the_end():
    game = agora.make("games/LiarsDice-v0", dice=3)
    game.reset(seed=0)
    game.state = {**game.state, "dice": ((2, 5, 5), (1, 1, 5))}
    game.step("[liar]")  # no bid yet: invalid
    assert "no bid to call" in game.infos["player_0"]["error"]
    game.step("I claim [bid 2 5]")
    obs = game.observe("player_1")
    assert "Your dice: 1 1 5" in obs and "2 5 5" not in obs and "player 0 bid 2 x 5" in obs
    game.step("[2 4]")
    assert "does not beat the last bid" in game.infos["player_1"]["error"]
    game.step("[3 5]")
    game.step("[liar]")  # player 0 calls player 1's "three 5s", which holds
    assert game.rewards == {"player_0": -1.0, "player_1": 1.0}
    obs = game.observe("player_0")
    assert "the bid holds" in obs and "opponent's dice: 1 1 5" in obs


def test_dice_kwarg_and_private_info():
    game = agora.make("games/LiarsDice-v0", dice=(4, 2))
    game.reset(seed=3)
    assert len(game.state["dice"][0]) == 4 and len(game.state["dice"][1]) == 2
    assert game.private_info("player_1") == game.state["dice"][1]
    assert game.infos["player_0"]["view"]["opponent_dice"] == 2
    assert "[liar]" not in game.infos["player_0"]["legal_actions"]
    assert len(game.infos["player_0"]["legal_actions"]) == 36
    for bad in (0, 11, (5,), "five", 2.5):
        with pytest.raises(GameSetupError, match="dice"):
            agora.make("games/LiarsDice-v0", dice=bad)


def test_probabilistic_beats_random():
    env = agora.make("games/LiarsDice-v0", opponent="random")
    expert = ProbabilisticAgent(seed=0)
    wins = sum(episode_return(env, expert, seed) > 0 for seed in range(300))
    assert wins >= 0.85 * 300
