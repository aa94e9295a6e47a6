"""Computes the Leduc hold'em equilibrium shipped in `strategy.json`, by CFR+ (run once, offline).

Usage: ``python -m agora.envs.games.leduc_poker.solve_cfr [--iterations 5000] [--out PATH]``.

CFR+ with alternating updates, regret matching+ and linearly weighted averaging, enumerating every
chance outcome exactly (nine rank deals, then the public card). It prints the average strategy's
exploitability and player 0's value as it goes, and writes the average strategy rounded to 4
decimals as JSON: ``{"J:": {"check": 0.9, "bet": 0.1}, ...}`` (keys from `rules.infoset_key`).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from agora.envs.games.leduc_poker import rules
from agora.envs.games.leduc_poker.best_response import expected_value, exploitability

DEFAULT_OUT = Path(__file__).with_name("strategy.json")


class CFRPlus:
    """Cumulative regrets and strategy sums per infoset; `iterate` runs one CFR+ iteration."""

    def __init__(self) -> None:
        self.regrets: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.strategy_sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.iteration = 0
        self._pending: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def current(self, key: str, legal: tuple[str, ...]) -> dict[str, float]:
        """Regret matching: probabilities proportional to positive cumulative regret."""
        regrets = self.regrets[key]
        positive = {a: max(regrets[a], 0.0) for a in legal}
        total = sum(positive.values())
        return {a: positive[a] / total for a in legal} if total > 0 else {a: 1.0 / len(legal) for a in legal}

    def iterate(self) -> None:
        """One iteration: each player in turn updates its regrets against the other's current play."""
        self.iteration += 1
        for traverser in (0, 1):
            for cards, p in rules.deal_probabilities():
                self._walk(traverser, cards, None, "", 1.0, p)
            for key, gains in self._pending.items():  # regret matching+: clip once per pass
                regrets = self.regrets[key]
                for a, g in gains.items():
                    regrets[a] = max(regrets[a] + g, 0.0)
            self._pending.clear()

    def _walk(
        self, me: int, cards: tuple[int, int], public: int | None, history: str, own: float, other: float
    ) -> float:
        """Value for `me`; `own` is my reach, `other` the opponent's reach times chance."""
        if rules.is_terminal(history):
            return rules.payoffs(cards, public, history)[me]
        if public is None and rules.public_card_due(history):
            return sum(
                q * self._walk(me, cards, r, history, own, other * q) for r, q in rules.public_probabilities(cards)
            )
        player, legal = rules.to_move(history), rules.legal_actions(history)
        key = rules.infoset_key(cards[player], public, history)
        sigma = self.current(key, legal)
        if player != me:
            return sum(
                q * self._walk(me, cards, public, rules.play(history, a), own, other * q)
                for a, q in sigma.items()
                if q > 0
            )
        values = {a: self._walk(me, cards, public, rules.play(history, a), own * sigma[a], other) for a in legal}
        node = sum(sigma[a] * values[a] for a in legal)
        gains, sums = self._pending[key], self.strategy_sums[key]
        for a in legal:
            gains[a] += other * (values[a] - node)
            sums[a] += self.iteration * own * sigma[a]
        return node

    def average(self) -> dict[str, dict[str, float]]:
        """The weighted average strategy (the one that converges to an equilibrium)."""
        out = {}
        for key, sums in sorted(self.strategy_sums.items()):
            total = sum(sums.values())
            out[key] = {a: (s / total if total > 0 else 1.0 / len(sums)) for a, s in sums.items()}
        return out


def rounded(strategy: dict[str, dict[str, float]], digits: int = 4) -> dict[str, dict[str, float]]:
    """The strategy with probabilities rounded to `digits` and renormalised (for a small file)."""
    out = {}
    for key, probs in strategy.items():
        r = {a: round(q, digits) for a, q in probs.items()}
        top = max(r, key=r.get)
        r[top] = round(r[top] + 1.0 - sum(r.values()), digits)
        out[key] = r
    return out


def main() -> None:
    """Runs CFR+, reports progress, and writes the rounded average strategy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    solver = CFRPlus()
    for t in range(1, args.iterations + 1):
        solver.iterate()
        if t % max(1, args.iterations // 10) == 0:
            avg = solver.average()
            print(f"iteration {t:6d}  exploitability {exploitability(avg):.6f}  value {expected_value(avg, avg):+.6f}")
    strategy = rounded(solver.average())
    print(
        f"shipped (rounded): exploitability {exploitability(strategy):.6f}  "
        f"player-0 value {expected_value(strategy, strategy):+.6f}  infosets {len(strategy)}"
    )
    args.out.write_text(json.dumps(strategy, indent=0, sort_keys=True) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
