"""CountUp: say the numbers from 1 to `target`, one per turn.

**Action format.** The next number as digits, e.g. ``3``.

**Rewards.** +1 for each correct number; -0.5 for a malformed action (not a number), which does
not advance the count; 0 for a wrong number. The episode ends after `target`.
"""

from __future__ import annotations

from typing import Any

import agora
from agora.limits import parse_int


class CountUp(agora.TextEnv):
    """Count from 1 to `target` (see the module docs)."""

    invalid_action_reward = -0.5

    def __init__(self, target: int = 5, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        self.target = target
        self.next = 1

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.next = 1
        start = f"Count from 1 to {self.target}. Say 1."
        return start, {
            "instructions": f"Say the numbers from 1 to {self.target}, one per turn.",
            "state_key": self.next,
        }

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        text = action.strip()
        number = parse_int(text)  # ASCII digits, bounded: "²" and a 5,000-digit reply are malformed, not errors
        if number is None:
            return self.invalid(
                f"{text[:40]!r} is not a number; answer with digits, e.g. {self.next}.", {"state_key": self.next}
            )
        correct = number == self.next
        if correct:
            self.next += 1
        done = self.next > self.target
        message = "Done." if done else f"{'Right' if correct else 'Wrong'}. Say {self.next}."
        return message, 1.0 if correct else 0.0, done, {"state_key": self.next}
