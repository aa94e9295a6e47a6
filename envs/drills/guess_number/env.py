"""Guess the number: find a secret integer with "higher" / "lower" hints, one guess per turn.

**Task.** A secret integer is drawn uniformly from ``0 .. size-1`` (``size`` 4 by default) at
reset. Each turn the agent guesses; the env answers ``higher`` (the secret is above the guess),
``lower`` (below) or ``correct`` (the episode ends). Good play uses the hints (binary search) and
never repeats a guess that a hint already ruled out.

**Action format.** The guess in brackets, e.g. ``[2]``; the last bracketed token counts.
``info["legal_actions"]`` lists ``[0] .. [size-1]``.

**Rewards (per turn).** ``+1`` for the correct guess, ``-0.25`` for a wrong guess, ``-0.5`` for a
malformed action (no bracketed number in range; the episode goes on). `agora.make` caps an
episode at 6 turns (truncation).

**State key.** ``info["state_key"]`` is the interval the hints leave open, ``(low, high)``: episodes
that reached the same interval are in the same state (for step-level credit).
"""

from __future__ import annotations

from typing import Any, ClassVar

from agora.core import TextEnv
from agora.limits import find_bracketed_move, parse_int

WRONG_GUESS_REWARD = -0.25
CORRECT_REWARD = 1.0


class GuessNumber(TextEnv):
    """Guess the number with higher/lower hints (see the module docs).

    Args:
        size: the secret is in ``0 .. size-1`` (2 to 100).
    """

    invalid_action_reward: ClassVar[float] = -0.5

    def __init__(self, size: int = 4, render_mode: str | None = None):
        if not 2 <= size <= 100:
            raise ValueError(f"size must be in [2, 100], got {size}.")
        super().__init__(render_mode=render_mode)
        self.size = size
        self.secret = 0
        self.low, self.high = 0, size - 1

    def _info(self) -> dict[str, Any]:
        return {
            "instructions": f"Guess the secret number between 0 and {self.size - 1}. Answer like [2].",
            "legal_actions": [f"[{k}]" for k in range(self.size)],
            "state_key": (self.low, self.high),
        }

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.secret = int(self.np_random.integers(self.size))
        self.low, self.high = 0, self.size - 1
        return f"Guess a number from 0 to {self.size - 1}.", self._info()

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        token = find_bracketed_move(action)
        guess = None if token is None else parse_int(token, max_digits=3)
        if guess is None or guess >= self.size:
            error = f"write one number from 0 to {self.size - 1} in brackets, e.g. [1]."
            return self.invalid(error, self._info())
        if guess == self.secret:
            return f"{guess}: correct!", CORRECT_REWARD, True, self._info()
        if guess < self.secret:
            self.low = max(self.low, guess + 1)
            hint = "higher"
        else:
            self.high = min(self.high, guess - 1)
            hint = "lower"
        return f"{guess}: {hint}. Guess again.", WRONG_GUESS_REWARD, False, self._info()
