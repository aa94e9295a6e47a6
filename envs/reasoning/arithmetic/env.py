"""Integer arithmetic: evaluate an expression.

**Task.** An expression with ``difficulty + 1`` integers (1 to 20) joined by ``+``, ``-`` and ``*``,
with parentheses, e.g. ``(7 - 12) * 3 + 18``. The seed draws the expression.

**Action format.** The value as an integer, inside ``<answer></answer>`` (or the whole reply).

**Rewards.** 1 for the exact value, 0 otherwise; an answer that is not an integer earns 0 with
``info["error"]``. One turn per episode.
"""

from __future__ import annotations

import random

from agora.envs.reasoning.base import ANSWER_FORMAT, Problem, SingleTurnEnv


def random_expression(rng: random.Random, operations: int) -> str:
    """A random fully parenthesised-where-needed expression with `operations` binary operators."""
    if operations == 0:
        return str(rng.randint(1, 20))
    left = rng.randint(0, operations - 1)
    op = rng.choice("+-*")
    a, b = random_expression(rng, left), random_expression(rng, operations - 1 - left)
    a = f"({a})" if left and op == "*" else a
    b = f"({b})" if operations - 1 - left and op in "-*" else b
    return f"{a} {op} {b}"


def parse_int(answer: str) -> int:
    """The integer in `answer` (commas and a trailing period allowed); ValueError otherwise."""
    cleaned = answer.replace(",", "").strip().rstrip(".")
    try:
        return int(cleaned)
    except ValueError:
        raise ValueError(f"expected an integer, got {answer[:40]!r}") from None


class Arithmetic(SingleTurnEnv):
    """Evaluate an integer expression (see the module docs)."""

    instructions = "Compute the value of the arithmetic expression. " + ANSWER_FORMAT

    def __init__(self, difficulty: int = 3, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if difficulty < 1:
            raise ValueError(f"difficulty must be >= 1, got {difficulty}")
        self.difficulty = difficulty

    def generate(self, rng: random.Random) -> Problem:
        """An expression with `difficulty + 1` operands."""
        expression = random_expression(rng, self.difficulty)
        return Problem(f"What is {expression}?", eval(expression), {"expression": expression})  # our own digits

    def verify(self, answer: str, problem: Problem) -> float:
        """1.0 when the integer equals the value."""
        return float(parse_int(answer) == problem.answer)
