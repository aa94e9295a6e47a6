"""Exact evaluation of Leduc strategies over the whole game tree: expected values and best responses.

A *strategy* maps an infoset key (`rules.infoset_key`) to the probability of each legal action
name; a missing key means uniform play. `exploitability(strategy)` is how much a best-responding
opponent wins against it on average over both seats: 0 exactly at a Nash equilibrium.
"""

from __future__ import annotations

from collections.abc import Mapping

from agora.envs.games.leduc_poker import rules

Strategy = Mapping[str, Mapping[str, float]]
Reach = dict[int, float]


def action_probabilities(strategy: Strategy, card: int, public: int | None, history: str) -> dict[str, float]:
    """The strategy's probabilities of the legal actions at an infoset (uniform when it is missing)."""
    legal = rules.legal_actions(history)
    probs = strategy.get(rules.infoset_key(card, public, history))
    if not probs:
        return {a: 1.0 / len(legal) for a in legal}
    return {a: float(probs.get(a, 0.0)) for a in legal}


def expected_value(first: Strategy, second: Strategy) -> float:
    """Player 0's exact expected chips when `first` plays seat 0 and `second` seat 1."""
    total = 0.0
    for cards, p in rules.deal_probabilities():
        total += p * _value((first, second), cards, None, "")
    return total


def _value(strategies: tuple[Strategy, Strategy], cards: tuple[int, int], public: int | None, history: str) -> float:
    if rules.is_terminal(history):
        return rules.payoffs(cards, public, history)[0]
    if public is None and rules.public_card_due(history):
        return sum(q * _value(strategies, cards, r, history) for r, q in rules.public_probabilities(cards))
    player = rules.to_move(history)
    probs = action_probabilities(strategies[player], cards[player], public, history)
    return sum(q * _value(strategies, cards, public, rules.play(history, a)) for a, q in probs.items() if q > 0)


def best_response_value(strategy: Strategy, responder: int) -> float:
    """The expected chips of a best response in seat `responder` against `strategy` in the other seat."""
    total = 0.0
    for mine in range(3):
        reach = {theirs: (1.0 if theirs == mine else 2.0) / 5.0 for theirs in range(3)}
        total += (1.0 / 3.0) * _best(strategy, responder, mine, None, "", reach)
    return total


def _best(strategy: Strategy, me: int, card: int, public: int | None, history: str, reach: Reach) -> float:
    """Reach-weighted value for the responder holding `card`; `reach` weighs each opponent card."""
    if rules.is_terminal(history):
        return sum(w * _payoff(me, card, other, public, history) for other, w in reach.items())
    if public is None and rules.public_card_due(history):
        total = 0.0
        for r in range(3):
            split = {o: w * _public_chance(card, o, r) for o, w in reach.items()}
            if any(split.values()):
                total += _best(strategy, me, card, r, history, split)
        return total
    if rules.to_move(history) == me:
        return max(
            _best(strategy, me, card, public, rules.play(history, a), reach) for a in rules.legal_actions(history)
        )
    total = 0.0
    for action in rules.legal_actions(history):
        split = {o: w * action_probabilities(strategy, o, public, history)[action] for o, w in reach.items()}
        total += _best(strategy, me, card, public, rules.play(history, action), split)
    return total


def _payoff(me: int, card: int, other: int, public: int | None, history: str) -> float:
    cards = (card, other) if me == 0 else (other, card)
    return rules.payoffs(cards, public, history)[me]


def _public_chance(card: int, other: int, public: int) -> float:
    return (2 - (card == public) - (other == public)) / 4.0


def exploitability(strategy: Strategy) -> float:
    """Mean best-response gain over both seats when `strategy` plays both seats (0 at equilibrium)."""
    return (best_response_value(strategy, 0) + best_response_value(strategy, 1)) / 2.0
