"""Sorting: put a list of integers in order.

**Task.** ``length`` integers from -99 to 99 (8 by default), to sort ascending or descending (the
seed draws both).

**Action format.** The sorted numbers separated by commas or spaces, inside ``<answer></answer>``
(or the whole reply); brackets are allowed: ``<answer>[-3, 4, 17]</answer>``.

**Rewards.** 1 for exactly the sorted list, 0 otherwise; a reply that is not a list of integers
earns 0 with ``info["error"]``. One turn per episode.
"""

from __future__ import annotations

import random
import re

from agora.envs.reasoning.base import ANSWER_FORMAT, Problem, SingleTurnEnv

_SEPARATORS = re.compile(r"[\s,]+")


def parse_int_list(answer: str) -> list[int]:
    """The integers of a comma/space-separated list (optionally in brackets); ValueError otherwise."""
    body = answer.strip().removeprefix("[").removesuffix("]").strip()
    parts = [p for p in _SEPARATORS.split(body) if p]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"expected integers separated by commas, got {answer[:40]!r}") from None
    if not values:
        raise ValueError("the answer holds no numbers")
    return values


class Sorting(SingleTurnEnv):
    """Sort a list of integers (see the module docs)."""

    instructions = "Sort the numbers as asked and list them separated by commas. " + ANSWER_FORMAT

    def __init__(self, length: int = 8, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if length < 2:
            raise ValueError(f"length must be >= 2, got {length}")
        self.length = length

    def generate(self, rng: random.Random) -> Problem:
        """A list of `length` integers and a direction."""
        numbers = [rng.randint(-99, 99) for _ in range(self.length)]
        descending = rng.random() < 0.5
        order = "descending (largest first)" if descending else "ascending (smallest first)"
        prompt = f"Sort these numbers in {order} order: {', '.join(map(str, numbers))}"
        return Problem(prompt, sorted(numbers, reverse=descending), {"numbers": numbers, "descending": descending})

    def verify(self, answer: str, problem: Problem) -> float:
        """1.0 for exactly the sorted list."""
        return float(parse_int_list(answer) == problem.answer)
