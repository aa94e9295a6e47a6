"""Nim: Bouton's theorem against brute force, the nim-sum expert never loses a won position, the env."""

from __future__ import annotations

import itertools
from functools import cache

import pytest

import agora
from agora.envs.games.nim import rules
from agora.envs.games.nim.agents import NimSumAgent
from agora.errors import GameSetupError

from .helpers import episode_return

SMALL = (3, 4, 5)


@cache
def mover_wins(piles: rules.Piles) -> bool:
    """Brute-force game value: can the player to move force a win? (No nim-sum involved.)"""
    return any(not mover_wins(rules.play(piles, m)) for m in rules.legal_moves(piles))


def positions(limit: rules.Piles):
    return itertools.product(*(range(n + 1) for n in limit))


def test_known_values():
    assert rules.nim_sum((3, 4, 5)) == 2 and rules.nim_sum((1, 2, 3)) == 0
    assert rules.winning_moves((3, 4, 5)) == [(0, 2)]  # 3 -> 1 leaves 1 ^ 4 ^ 5 = 0
    assert rules.winning_moves((1, 2, 3)) == []
    assert rules.play((3, 4, 5), (2, 5)) == (3, 4, 0)
    assert len(rules.legal_moves((3, 4, 5))) == 12
    for bad in ((3, 1), (0, 4), (0, 0)):
        with pytest.raises(ValueError):
            rules.play((3, 4, 5), bad)


def test_bouton_theorem_by_brute_force():
    for piles in positions((4, 5, 6)):
        assert mover_wins(piles) == (rules.nim_sum(piles) != 0), piles


def test_nimsum_agent_never_loses_a_winning_position():
    """Exhaustive: from every won position up to piles (3, 4, 5), against every reply, the expert wins."""
    agent = NimSumAgent(seed=0)

    @cache
    def expert_wins(piles: rules.Piles) -> bool:  # the expert is to move
        winning = rules.winning_moves(piles)
        for _ in range(3):  # the agent picks at random among winning moves: sample its choice
            text = agent.act("", {"view": {"piles": list(piles)}})
            assert tuple(int(x) for x in text[1:-1].split()) in winning
        for move in winning:
            after = rules.play(piles, move)
            if rules.is_over(after):
                continue
            if not all(expert_wins(rules.play(after, reply)) for reply in rules.legal_moves(after)):
                return False
        return True

    won = [p for p in positions(SMALL) if rules.nim_sum(p) != 0]
    assert len(won) > 100
    assert all(expert_wins(p) for p in won)


def test_env_piles_kwarg_parse_and_result():
    game = agora.make("games/Nim-v0", piles=(1, 2))
    game.reset(seed=0)
    assert game.infos["player_0"]["legal_actions"] == ["[0 1]", "[1 1]", "[1 2]"]
    game.step("take [pile 1, take 5]")
    assert "cannot take 5 from pile 1" in game.infos["player_0"]["error"]
    game.step("[1, 1]")  # (1, 1): a lost position for player 1
    assert "pile 1: 1 |" in game.observe("player_1") and game.agent_selection == "player_1"
    game.step("[0 1]")
    game.step("[1 1]")  # player 0 takes the last object
    assert game.rewards == {"player_0": 1.0, "player_1": -1.0}
    assert "You won." in game.observe("player_0")


def test_nimsum_wins_every_game_from_a_won_start():
    env = agora.make("games/Nim-v0", piles=(3, 4, 5), opponent="nimsum", seat=1)
    for seed in range(5):  # the expert opens (3, 4, 5), a won position, and wins against itself
        assert episode_return(env, NimSumAgent(seed=seed), seed) == -1.0


@pytest.mark.parametrize("piles", [(), (0, 3), (3, 101), "abc", [1] * 11])
def test_bad_piles_raise_a_setup_error(piles):
    with pytest.raises(GameSetupError, match="piles"):
        agora.make("games/Nim-v0", piles=piles)
