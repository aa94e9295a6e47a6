"""Countdown: reach a target number with the given numbers and + - * /.

**Task.** ``count`` numbers (4 by default; small ones from 1 to 10 and large ones from 25, 50, 75,
100) and a target that some combination of them reaches (the seed builds the target from a random
expression over some of the numbers, so every task is solvable).

**Action format.** An arithmetic expression inside ``<answer></answer>`` (or the whole reply),
using each given number at most once, integers only, with ``+ - * /`` and parentheses, e.g.
``<answer>(50 - 2) * 3</answer>``. Division is exact (fractions are allowed along the way).

**Rewards.** 1 when the expression's value equals the target, 0 otherwise. An expression that does
not parse, uses another operator, or uses a number more often than given earns 0 with
``info["error"]``. One turn per episode.
"""

from __future__ import annotations

import ast
import random
import re
from collections import Counter
from fractions import Fraction

from agora.envs.reasoning.base import ANSWER_FORMAT, Problem, SingleTurnEnv

MAX_EXPRESSION_CHARS = 400
MAX_DIGITS = 9
_DIGIT_RUNS = re.compile(r"[0-9]+")
_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def evaluate(expression: str) -> tuple[Fraction, list[int]]:
    """The exact value of an expression of integers and + - * /, and the integers it uses.

    Raises ValueError for anything else, including expressions longer than `MAX_EXPRESSION_CHARS` or
    numbers with more than `MAX_DIGITS` digits (the parser and the walk recurse on nesting).
    """
    expression = expression.strip().rstrip("=")
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ValueError(f"the expression has {len(expression)} characters; at most {MAX_EXPRESSION_CHARS} are read")
    if any(len(run) > MAX_DIGITS for run in _DIGIT_RUNS.findall(expression)):
        raise ValueError(f"a number has more than {MAX_DIGITS} digits")
    try:
        tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueError(f"not an arithmetic expression: {expression[:40]!r}") from None
    used: list[int] = []

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            used.append(node.value)
            return Fraction(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ValueError("division by zero")
            return _OPS[type(node.op)](left, right)
        raise ValueError(f"only integers, + - * / and parentheses are allowed, found {ast.unparse(node)[:30]!r}")

    return walk(tree.body), used


def _combine(rng: random.Random, numbers: list[int]) -> tuple[str, Fraction]:
    expression, value = str(numbers[0]), Fraction(numbers[0])
    for n in numbers[1:]:
        options = [("+", value + n), ("*", value * n)] + ([("-", value - n)] if value > n else [])
        options += [("/", value / n)] if value % n == 0 else []
        op, value = rng.choice(options)
        expression = f"({expression}) {op} {n}"
    return expression, value


class Countdown(SingleTurnEnv):
    """Reach the target with the given numbers (see the module docs)."""

    instructions = (
        "Combine the given numbers with + - * / and parentheses to reach the target; use each "
        "number at most once. Answer with the expression. " + ANSWER_FORMAT
    )

    def __init__(self, count: int = 4, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if not 2 <= count <= 6:
            raise ValueError(f"count must be between 2 and 6, got {count}")
        self.count = count

    def generate(self, rng: random.Random) -> Problem:
        """Numbers and a target reached by a random expression over some of them."""
        large = rng.randint(0, min(2, self.count - 2))
        numbers = rng.sample([25, 50, 75, 100], large) + [rng.randint(1, 10) for _ in range(self.count - large)]
        rng.shuffle(numbers)
        while True:
            expression, target = _combine(rng, rng.sample(numbers, rng.randint(2, self.count)))
            if target.denominator == 1 and 1 <= target <= 999:
                break
        prompt = f"Numbers: {', '.join(map(str, numbers))}. Target: {target}."
        return Problem(prompt, int(target), {"numbers": numbers, "solution": expression})

    def verify(self, answer: str, problem: Problem) -> float:
        """1.0 when the expression uses only the given numbers and equals the target."""
        value, used = evaluate(answer)
        extra = Counter(used) - Counter(problem.data["numbers"])
        if extra:
            raise ValueError(f"uses numbers that are not available: {sorted(extra.elements())}")
        return float(value == problem.answer)
