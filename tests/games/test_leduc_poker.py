"""Leduc hold'em: betting rules and payoffs by hand, known values of the game, the shipped CFR strategy."""

from __future__ import annotations

import pytest

import agora
from agora.envs.games.leduc_poker import rules
from agora.envs.games.leduc_poker.agents import CFRAgent, equilibrium
from agora.envs.games.leduc_poker.best_response import best_response_value, expected_value, exploitability
from agora.envs.games.leduc_poker.solve_cfr import CFRPlus

from .helpers import episode_return

J, Q, K = 0, 1, 2


def test_betting_rounds():
    assert rules.legal_actions("") == ("check", "bet")
    assert rules.legal_actions("b") == ("call", "raise", "fold")
    assert rules.legal_actions("br") == ("call", "fold")  # two bets per round at most
    assert rules.play("kb", "call") == "kbc/"  # the first round closes: the public card comes
    assert rules.to_move("kbc/") == 0 and rules.to_move("kbc/k") == 1
    assert not rules.is_terminal("kbc/") and rules.is_terminal("kbc/kk") and rules.is_terminal("bf")
    with pytest.raises(ValueError):
        rules.play("br", "raise")


@pytest.mark.parametrize(
    ("cards", "public", "history", "expected"),
    [
        ((K, Q), J, "kk/kk", (1.0, -1.0)),  # high card, antes only
        ((J, K), J, "bc/bc", (7.0, -7.0)),  # J pairs the public J: 1 + 2 + 4 each
        ((Q, Q), K, "brc/kbrc", (0.0, 0.0)),  # equal ranks split
        ((K, J), Q, "kbrc/bf", (5.0, -5.0)),  # player 1 folds having put 1 + 4
        ((K, J), None, "bf", (1.0, -1.0)),
        ((K, J), None, "kbf", (-1.0, 1.0)),  # player 0 folds to a bet
        ((J, Q), K, "brc/brc", (-13.0, 13.0)),  # the largest pot: 1 + 4 + 8 each
    ],
)
def test_payoffs(cards, public, history, expected):
    assert rules.payoffs(cards, public, history) == expected


def test_contributions():
    assert rules.contributions("") == (1, 1)
    assert rules.contributions("kbr") == (5, 3)
    assert rules.contributions("brc/b") == (9, 5)


def test_uniform_random_nash_conv_matches_the_published_value():
    # OpenSpiel reports NashConv 4.7472 for the uniform random policy in Leduc hold'em.
    assert 2 * exploitability({}) == pytest.approx(4.747222, abs=1e-5)


def test_shipped_strategy_is_an_equilibrium():
    strategy = equilibrium()
    assert len(strategy) == 288  # 144 infosets per player
    for probs in strategy.values():
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-6)
        assert min(probs.values()) >= 0.0
    assert exploitability(strategy) < 1e-3
    # The game value for player 0 at equilibrium is -0.0856 (published with OpenSpiel's Leduc).
    assert expected_value(strategy, strategy) == pytest.approx(-0.0856, abs=2e-3)
    for seat in (0, 1):
        assert best_response_value(strategy, seat) <= (-0.0856 if seat == 0 else 0.0856) + 2e-3


def test_cfr_beats_random_exactly_and_in_play():
    strategy = equilibrium()
    as_first, as_second = expected_value(strategy, {}), -expected_value({}, strategy)
    assert as_first > 0.5 and as_second > 0.5  # exact expected chips per hand against uniform play
    env = agora.make("games/LeducPoker-v0", opponent="random")
    agent = CFRAgent(seed=0)
    total = sum(episode_return(env, agent, seed) for seed in range(400))
    assert total / 400 > 0.4


def test_cfr_solver_reduces_exploitability():
    solver = CFRPlus()
    for _ in range(30):
        solver.iterate()
    assert exploitability(solver.average()) < 0.1 < exploitability({})


def test_env_shows_the_public_card_and_hides_the_other_card():
    game = agora.make("games/LeducPoker-v0")
    game.reset(seed=0)
    game.state = {"cards": (K, J), "public": Q, "history": ""}
    assert game.private_info("player_0") == (K, None)
    game.step("[bet]")
    game.step("I [call]")
    obs = game.observe("player_1")
    assert "Your card: J. Public card: Q." in obs and "K" not in obs.split("Public card")[1]
    assert game.private_info("player_1") == (J, Q) and game.infos["player_1"]["view"]["public"] == "Q"
    game.step("[bet]")  # round 2: player 0 bets 4
    game.step("[raise]")  # player 1 raises 4 more: the second and last bet of the round
    game.step("[raise]")
    assert "[raise] is not a legal move" in game.infos["player_0"]["error"]
    assert game.infos["player_0"]["legal_actions"] == ["[call]", "[fold]"]
    game.step("[fold]")  # player 0 gives up 1 + 2 + 4
    assert game.rewards == {"player_0": -7.0, "player_1": 7.0}
    assert "You won 7 chip(s)." in game.observe("player_1") and "Showdown" not in game.observe("player_1")


def test_cfr_agent_samples_the_strategy_of_its_infoset():
    strategy = equilibrium()
    key = "QK:kbc/b"  # holding Q, public K, facing a bet in round 2
    view = {"card": "Q", "public": "K", "history": "kbc/b", "player": 1}
    agent = CFRAgent(seed=1)
    draws = [agent.act("", {"view": view}) for _ in range(4000)]
    for action, p in strategy[key].items():
        assert draws.count(f"[{action}]") / len(draws) == pytest.approx(p, abs=0.03)
