from __future__ import annotations

import pytest

import agora
from agora.envs.games.negotiation import rules
from agora.envs.games.negotiation.agents import GreedyAgent, greedy_offer

VALUES = ((1, 2, 5), (4, 2, 1))  # player 0 loves gold, player 1 loves wood


def fresh(max_rounds: int = 2) -> rules.State:
    return rules.new_state(((3, 3, 3), (3, 3, 3)), VALUES, max_rounds)


def test_parse_offer_and_describe() -> None:
    assert rules.parse_offer("2 wood, 1 stones -> 1 gold") == ((2, 1, 0), (0, 0, 1))
    assert rules.parse_offer("1 wood + 1 wood -> 3 gold") == ((2, 0, 0), (0, 0, 3))
    assert rules.describe((2, 0, 1)) == "2 wood, 1 gold"
    for bad in ("2 wood", "two wood -> 1 gold", "1 iron -> 1 gold"):
        with pytest.raises(ValueError):
            rules.parse_offer(bad)


def test_accepted_trade_moves_units_and_values() -> None:
    # player 0 gives 2 wood (worth 2 to it) for 1 gold (worth 5): +3; player 1: +8 - 1 = +7.
    state = rules.make_offer(fresh(), (2, 0, 0), (0, 0, 1))
    assert rules.to_move(state) == 1 and state.pending == rules.Offer(0, (2, 0, 0), (0, 0, 1))
    state = rules.accept(state)
    assert state.inventories == ((1, 3, 4), (5, 3, 2))
    assert (rules.gain(state, 0), rules.gain(state, 1)) == (3, 7)  # general-sum: both gain
    assert state.pending is None and not rules.is_over(state)
    state = rules.reject(rules.reject(state))  # two passes end a 2-round game
    assert rules.is_over(state)


def test_infeasible_offers_are_refused() -> None:
    state = fresh()
    assert "cannot give more" in rules.offer_error(state, 0, (4, 0, 0), (0, 0, 1))
    assert "holds only" in rules.offer_error(state, 0, (1, 0, 0), (0, 0, 4))
    assert "same resource" in rules.offer_error(state, 0, (1, 0, 0), (1, 0, 1))
    assert "at least one" in rules.offer_error(state, 0, (0, 0, 0), (0, 0, 1))
    with pytest.raises(ValueError):
        rules.accept(state)  # nothing pending


def test_greedy_offer_is_strictly_profitable() -> None:
    # values (1, 2, 5): cheapest is wood; gold is worth 5 wood, so it offers 4 wood for 1 gold.
    assert greedy_offer((1, 2, 5), (9, 9, 9), (9, 9, 9), turn=0) == ((4, 0, 0), (0, 0, 1))
    assert greedy_offer((1, 2, 5), (2, 9, 9), (9, 9, 9), turn=0) == ((2, 0, 0), (0, 0, 1))  # capped by holdings
    assert greedy_offer((3, 3, 3), (5, 5, 5), (5, 5, 5), turn=0) is None  # nothing to gain


def _game(env: agora.TurnBasedGame, agents: dict[str, agora.Agent], seed: int) -> list[float]:
    env.reset(seed=seed)
    for k, agent in enumerate(agents.values()):
        agent.reset(seed=seed + k)
    for name in env.agent_iter():
        obs, _, term, trunc, info = env.last()
        env.step(None if term or trunc else agents[name].act(obs, info))
    return env.unwrapped.outcome


def test_greedy_never_loses_value_and_beats_random() -> None:
    env = agora.make("games/SimpleNegotiation-v0")
    greedy_total = random_total = 0.0
    for seed in range(60):
        seats = {"player_0": GreedyAgent(), "player_1": agora.RandomAgent()}
        if seed % 2:
            seats = dict(zip(seats, reversed(seats.values()), strict=True))
        outcome = _game(env, seats, seed)
        g = outcome[seed % 2]
        assert g >= 0
        greedy_total += g
        random_total += outcome[1 - seed % 2]
    assert greedy_total > random_total


def test_env_parses_free_offers_and_rejects_bad_ones() -> None:
    env = agora.make("games/SimpleNegotiation-v0", opponent=GreedyAgent(), seat=0)
    obs, info = env.reset(seed=3)
    assert "[pass]" in info["legal_actions"] and "[offer: 1 wood -> 1 gold]" in info["legal_actions"]
    _, reward, _, _, info = env.step("I propose [Offer: 2 Wood, 1 stone -> 1 gold]")
    assert "error" not in info and reward == 0.0
    _, _, _, _, info = env.step("[offer: 6 wood -> 1 gold]")
    assert "cannot give more" in info["error"]
    _, _, _, _, info = env.step("[accept]")
    assert "not possible now" in info["error"]
