"""24 points: the parser on known expressions and hostile ones, the solver on known deals, oracle and random agent."""

from __future__ import annotations

import itertools
import random
import re
from fractions import Fraction

import numpy as np
import pytest

import agora
from agora.agent import resolve_agent
from agora.envs.reasoning.twenty_four.env import deal
from agora.envs.reasoning.twenty_four.rules import card_value, evaluate, solve

IDS = ["reasoning/TwentyFour-v0", "reasoning/VisualTwentyFour-v0"]


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("8 / (3 - 8 / 3)", Fraction(24)),
        ("(10 - 4) * (3 + 1)", Fraction(24)),
        ("1 + 2 * 3 - 4 / 8", Fraction(13, 2)),  # precedence
        ("12 - 6 - 2", Fraction(4)),  # left to right
        ("6 × 4 ÷ 1 = 24", Fraction(24)),
        ("((((5))))", Fraction(5)),
    ],
)
def test_expressions_are_evaluated_exactly(expression, value):
    assert evaluate(expression)[0] == value


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("", "empty"),
        ("-3 + 27", "unary minus"),
        ("2 ** 4", "found '\\*'"),
        ("(1 + 2", "not closed"),
        ("1 + 2)", "after a complete"),
        ("4 / (2 - 2)", "division by zero"),
        ("999 - 975", "not a card value"),
        ("(" * 7 + "1" + ")" * 7, "deeper than 6"),
        ("1+" * 80 + "1", "characters"),
        ("1+" * 9 + "1", "more than 8 numbers"),
        ("3.5 * 2", "unexpected"),
        ("２４", "unexpected"),
        ("__import__('os')", "unexpected"),
    ],
)
def test_hostile_or_malformed_expressions_are_value_errors(expression, why):
    with pytest.raises(ValueError, match=why):
        evaluate(expression)


def test_the_solver_agrees_with_the_known_counts_of_solvable_deals():
    ranks = list(itertools.combinations_with_replacement(range(1, 14), 4))
    tens = list(itertools.combinations_with_replacement(range(1, 11), 4))
    assert sum(solve(c) is not None for c in ranks) == 1362  # of 1820 multisets of 1..13
    assert sum(solve(c) is not None for c in tens) == 566  # of 715 multisets of 1..10
    for values in random.Random(0).sample(ranks, 200):
        expression = solve(values)
        if expression is not None:
            value, used = evaluate(expression)
            assert value == 24 and sorted(used) == list(values)


@pytest.mark.parametrize(
    ("values", "solvable"),
    [((3, 3, 8, 8), True), ((1, 5, 5, 5), True), ((4, 4, 10, 10), True), ((1, 2, 3, 4), True)]
    + [((1, 1, 1, 1), False), ((1, 1, 1, 2), False), ((13, 13, 13, 13), False)],
)
def test_known_deals(values, solvable):
    assert (solve(values) is not None) is solvable


def test_face_cards_count_ten_or_their_rank():
    assert [card_value(r) for r in ("A", "7", "10", "J", "Q", "K")] == [1, 7, 10, 10, 10, 10]
    assert [card_value(r, "rank") for r in ("A", "J", "Q", "K")] == [1, 11, 12, 13]


@pytest.mark.parametrize("face_cards", ["ten", "rank"])
def test_only_solvable_deals_are_dealt(face_cards):
    for seed in range(300):
        cards, values, expression = deal(random.Random(seed), face_cards)
        assert len(set(cards)) == 4 and evaluate(expression)[0] == 24
        assert sorted(evaluate(expression)[1]) == sorted(values)


@pytest.mark.parametrize("env_id", IDS)
def test_the_oracle_solves_every_sampled_deal(env_id):
    env = agora.make(env_id, face_cards="rank")
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    for seed in range(100):
        obs, info = env.reset(seed=seed)
        _, reward, terminated, _, info = env.step(oracle.act(obs, info))
        assert reward == 1.0 and terminated and "error" not in info


def test_a_random_agent_almost_never_makes_24():
    env, wins = agora.make("reasoning/TwentyFour-v0"), 0
    for seed in range(300):
        agent = resolve_agent("random_expression", seed=seed, table=env.unwrapped.scripted_agents)
        obs, info = env.reset(seed=seed)
        answer = agent.act(obs, info)
        assert sorted(int(n) for n in re.findall(r"\d+", answer)) == sorted(info["values"])  # each card once
        wins += env.step(answer)[1] == 1.0
    assert wins <= 15  # measured: 0.9% (9 of 1,000) of random well-formed expressions over the cards make 24


def test_each_card_must_be_used_exactly_once():
    env = agora.make("reasoning/TwentyFour-v0")
    _, info = env.reset(seed=0)
    values = info["values"]
    for reply in (f"{values[0]} * {values[0]}", " + ".join(map(str, values + [1])), "24"):
        _, reward, _, _, step_info = env.reset(seed=0) and env.step(f"<answer>{reply}</answer>")
        assert reward == 0.0 and "exactly once" in step_info["error"]
    env.reset(seed=0)
    _, reward, terminated, _, step_info = env.step("<answer>" + " + ".join(map(str, values)) + "</answer>")
    assert terminated and "error" not in step_info and reward == float(sum(values) == 24)


def test_the_image_mode_shows_the_cards_only_in_the_image():
    env = agora.make("reasoning/VisualTwentyFour-v0")
    obs, info = env.reset(seed=5)
    assert env.observation_space.contains(obs) and obs["image"].shape == (96, 264, 3)
    assert not any(str(v) in obs["text"].replace("24", "") for v in info["values"])
    again, _ = env.reset(seed=5)
    other, _ = env.reset(seed=6)
    assert np.array_equal(obs["image"], again["image"]) and not np.array_equal(obs["image"], other["image"])
    text_env = agora.make("reasoning/TwentyFour-v0")
    assert info["state_key"] in text_env.reset(seed=5)[0]  # the same deal in both modes
