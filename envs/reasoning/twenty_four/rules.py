"""The rules of 24 points: card values, a bounded expression parser with exact arithmetic, and a solver.

`evaluate` reads an expression of non-negative integers, ``+ - * /`` (also ``× ÷``) and parentheses and
returns its exact value as a `Fraction` with the numbers it used. It is bounded before any work is done:
at most `MAX_CHARS` characters, `MAX_DIGITS` digits per number, `MAX_NUMBERS` numbers and `MAX_DEPTH`
levels of parentheses, so a hostile reply costs microseconds and is a ValueError, never a crash.
`solutions(values)` maps every value reachable from a multiset of numbers (each used exactly once) to one
expression that reaches it, memoised per multiset.
"""

from __future__ import annotations

import functools
import itertools
import re
from fractions import Fraction

TARGET = 24
MAX_CHARS = 120
MAX_DIGITS = 2
MAX_NUMBERS = 8
MAX_DEPTH = 6
RANKS = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
SUITS = ("♠", "♥", "♦", "♣")
FACE_RULES = ("ten", "rank")
"""How J, Q, K count: ``"ten"`` (10 each, RL4VLM's Points24) or ``"rank"`` (11, 12, 13)."""
_TOKEN = re.compile(r"\s*(?:([0-9]+)|([-+*/×÷()]))")
_OPS = {"×": "*", "÷": "/"}


def card_value(rank: str, face_rule: str = "ten") -> int:
    """The value of a card rank: A is 1, number cards their number, J Q K by `face_rule`."""
    index = RANKS.index(rank) + 1
    return min(index, 10) if face_rule == "ten" else index


def tokenize(expression: str) -> list[int | str]:
    """Numbers (as int) and operator/parenthesis symbols; ValueError on anything else or past a bound."""
    if len(expression) > MAX_CHARS:
        raise ValueError(f"the expression has {len(expression)} characters; at most {MAX_CHARS} are read")
    tokens: list[int | str] = []
    position, end = 0, len(expression.rstrip())
    while position < end:
        match = _TOKEN.match(expression, position)
        if not match:
            raise ValueError(f"unexpected {expression[position:].strip()[:10]!r}: use numbers, + - * / and ( )")
        number, symbol = match.groups()
        if number is not None:
            if len(number) > MAX_DIGITS:
                raise ValueError(f"the number {number[:12]!r} is not a card value")
            tokens.append(int(number))
        else:
            tokens.append(_OPS.get(symbol, symbol))
        position = match.end()
    if sum(isinstance(t, int) for t in tokens) > MAX_NUMBERS:
        raise ValueError(f"more than {MAX_NUMBERS} numbers")
    return tokens


class _Parser:
    """Recursive descent over tokens: expr = term (+|- term)*, term = factor (*|/ factor)*, factor = n | (expr)."""

    def __init__(self, tokens: list[int | str]):
        self.tokens, self.position, self.depth, self.used = tokens, 0, 0, []

    def peek(self) -> int | str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> int | str | None:
        token = self.peek()
        self.position += 1
        return token

    def expression(self) -> Fraction:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> Fraction:
        value = self.factor()
        while self.peek() in ("*", "/"):
            op, right = self.take(), self.factor()
            if op == "/" and right == 0:
                raise ValueError("division by zero")
            value = value * right if op == "*" else value / right
        return value

    def factor(self) -> Fraction:
        token = self.take()
        if isinstance(token, int):
            self.used.append(token)
            return Fraction(token)
        if token == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ValueError(f"parentheses nested deeper than {MAX_DEPTH}")
            value = self.expression()
            if self.take() != ")":
                raise ValueError("a parenthesis is not closed")
            self.depth -= 1
            return value
        found = "the end" if token is None else repr(token)
        raise ValueError(f"expected a number or '(' but found {found} (no unary minus)")


def evaluate(expression: str) -> tuple[Fraction, list[int]]:
    """The exact value of `expression` and the numbers it uses, in order (see the module docs)."""
    expression = expression.strip()
    if "=" in expression:  # "(8 - 4) * 6 = 24": read the left side
        expression = expression.split("=", 1)[0]
    parser = _Parser(tokenize(expression))
    if not parser.tokens:
        raise ValueError("the expression is empty")
    value = parser.expression()
    if parser.position != len(parser.tokens):
        raise ValueError(f"unexpected {parser.tokens[parser.position]!r} after a complete expression")
    return value, parser.used


def _splits(values: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every way to cut a multiset in two non-empty parts (each unordered pair once, as sorted tuples)."""
    seen, cuts = set(), []
    indices = range(len(values))
    for size in range(1, len(values) // 2 + 1):
        for left_idx in itertools.combinations(indices, size):
            left = tuple(values[i] for i in left_idx)
            right = tuple(values[i] for i in indices if i not in left_idx)
            key = tuple(sorted((left, right)))
            if key not in seen:
                seen.add(key)
                cuts.append((left, right))
    return cuts


@functools.lru_cache(maxsize=4096)
def reachable(values: tuple[int, ...]) -> dict[Fraction, str]:
    """Every value reachable using each of `values` (sorted: the cache key) exactly once, with an expression."""
    if len(values) == 1:
        return {Fraction(values[0]): str(values[0])}
    found: dict[Fraction, str] = {}
    for left, right in _splits(values):
        for (a, ea), (b, eb) in itertools.product(reachable(left).items(), reachable(right).items()):
            found.setdefault(a + b, f"({ea} + {eb})")
            found.setdefault(a * b, f"({ea} * {eb})")
            found.setdefault(a - b, f"({ea} - {eb})")
            found.setdefault(b - a, f"({eb} - {ea})")
            if b:
                found.setdefault(a / b, f"({ea} / {eb})")
            if a:
                found.setdefault(b / a, f"({eb} / {ea})")
    return found


def solve(values: list[int] | tuple[int, ...], target: int = TARGET) -> str | None:
    """An expression using each of `values` exactly once that equals `target`, or None when none exists.

    The parts of each cut come from `reachable`; the last operation is found by solving for the right
    operand, so the values of the whole multiset are never all built.
    """
    values, goal = tuple(sorted(values)), Fraction(target)
    if len(values) == 1:
        return str(values[0]) if values[0] == goal else None
    for left, right in _splits(values):
        rights = reachable(right)
        for a, ea in reachable(left).items():
            needs = [(goal - a, "{a} + {b}"), (a - goal, "{a} - {b}"), (a + goal, "{b} - {a}")]
            needs += [(goal / a, "{a} * {b}"), (goal * a, "{b} / {a}")] if a else []
            needs += [(a / goal, "{a} / {b}")] if goal and a else []
            for b, shape in needs:
                if b in rights and not (shape == "{a} / {b}" and b == 0):
                    return shape.format(a=ea, b=rights[b])
    return None
