from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

import agora
from agora.envs.games.kuhn_poker import rules
from agora.envs.games.kuhn_poker.agents import nash_policy

J, Q, K = 0, 1, 2


@pytest.mark.parametrize(
    ("cards", "history", "payoff"),
    [
        ((K, J), ("check", "check"), (1, -1)),
        ((J, K), ("bet", "call"), (-2, 2)),
        ((J, K), ("bet", "fold"), (1, -1)),
        ((Q, J), ("check", "bet", "call"), (2, -2)),
        ((K, Q), ("check", "bet", "fold"), (-1, 1)),
    ],
)
def test_payoffs(cards: tuple[int, int], history: tuple[str, ...], payoff: tuple[int, int]) -> None:
    assert rules.payoffs(cards, history) == payoff


def test_non_terminal_has_no_payoff_and_legal_actions() -> None:
    assert rules.payoffs((J, Q), ("check",)) is None
    assert rules.legal_actions(()) == ("check", "bet")
    assert rules.legal_actions(("bet",)) == ("call", "fold")
    assert rules.legal_actions(("bet", "call")) == ()


def _exact_value(alpha: Fraction) -> Fraction:
    """Player 0's expected payoff when both play the equilibrium, enumerated exactly."""

    def value(cards: tuple[int, int], history: tuple[str, ...]) -> Fraction:
        result = rules.payoffs(cards, history)
        if result is not None:
            return Fraction(result[0]).limit_denominator()
        card = rules.CARDS[cards[rules.to_move(history)]]
        probs = nash_policy(card, history, float(alpha))
        return sum(
            Fraction(p).limit_denominator(10**6) * value(cards, (*history, a)) for a, p in probs.items() if p > 0
        )

    deals = list(itertools.permutations(range(3), 2))
    return sum(value(d, ()) for d in deals) / len(deals)


@pytest.mark.parametrize("alpha", [Fraction(0), Fraction(1, 6), Fraction(1, 3)])
def test_equilibrium_value_is_minus_one_eighteenth(alpha: Fraction) -> None:
    assert _exact_value(alpha) == Fraction(-1, 18)


def test_nash_rejects_alpha_out_of_range() -> None:
    with pytest.raises(ValueError, match="alpha"):
        nash_policy("J", (), 0.5)


def test_private_card_is_not_shown_until_showdown() -> None:
    env = agora.make("games/KuhnPoker-v0")
    env.reset(seed=4)
    cards = env.unwrapped.state["cards"]
    other = rules.CARDS[cards[1]]
    assert f"Your card: {rules.CARDS[cards[0]]}" in env.observe("player_0")
    env.step("[check]")
    env.step("[check]")
    assert f"opponent's {other}" in env.observe("player_0")


def test_invalid_moves_retry_then_forfeit() -> None:
    env = agora.make("games/KuhnPoker-v0", error_allowance=1)
    env.reset(seed=0)
    env.step("I raise!")
    assert env.agent_selection == "player_0"
    assert "No move found" in env.infos["player_0"]["error"]
    assert env.observe("player_0").startswith("Invalid move:")
    env.step("[call]")  # second invalid attempt in a row, over the allowance of 1
    assert env.terminations["player_0"] and env.unwrapped.outcome == [-1.0, 1.0]
    assert "forfeit" in env.infos["player_0"]["error"]
