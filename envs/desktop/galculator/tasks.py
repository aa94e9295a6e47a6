"""galculator templates: arithmetic questions whose numbers are drawn from the seed, graded by the exact answer.

The calculator starts in its basic mode, maximized. The oracle types the expression ending in ``=`` (the
calculator's keyboard input) and answers with the value; numbers are drawn so every result is exact.
"""

from __future__ import annotations

import random

from agora.envs.desktop.templates import Task, Template, answer, type_


def _calc(question: str, expression: str, value: float) -> Task:
    reply = f"{value:g}" if abs(value) < 1e15 else str(int(value))
    reply = str(int(value)) if float(value).is_integer() else reply
    return Task(question, {}, (type_(expression + "="), "wait()", answer(reply)), answer=reply)


def add(rng: random.Random) -> Task:
    """Answer: the sum of two 4-digit numbers."""
    a, b = rng.randint(1000, 9999), rng.randint(1000, 9999)
    return _calc(f"Use the calculator: what is {a} + {b}?", f"{a}+{b}", a + b)


def subtract(rng: random.Random) -> Task:
    """Answer: a difference that may be negative."""
    a, b = rng.randint(100, 9999), rng.randint(100, 9999)
    return _calc(f"Use the calculator: what is {a} - {b}?", f"{a}-{b}", a - b)


def multiply(rng: random.Random) -> Task:
    """Answer: the product of two 3-digit numbers."""
    a, b = rng.randint(100, 999), rng.randint(100, 999)
    return _calc(f"Use the calculator: what is {a} x {b}?", f"{a}*{b}", a * b)


def divide(rng: random.Random) -> Task:
    """Answer: an exact quotient."""
    b, q = rng.randint(2, 99), rng.randint(10, 999)
    return _calc(f"Use the calculator: what is {b * q} / {b}?", f"{b * q}/{b}", q)


def divide_decimal(rng: random.Random) -> Task:
    """Answer: a quotient with decimals (divisor 4, 8 or 16)."""
    b, a = rng.choice([4, 8, 16]), rng.randint(101, 9999)
    return _calc(f"Use the calculator: what is {a} / {b}? Give every decimal.", f"{a}/{b}", a / b)


def sum_five(rng: random.Random) -> Task:
    """Answer: the sum of five numbers."""
    xs = [rng.randint(10, 999) for _ in range(5)]
    return _calc(f"Use the calculator: add up {', '.join(map(str, xs))}.", "+".join(map(str, xs)), sum(xs))


def square(rng: random.Random) -> Task:
    """Answer: a square."""
    a = rng.randint(101, 999)
    return _calc(f"Use the calculator: what is {a} squared?", f"{a}*{a}", a * a)


def cube(rng: random.Random) -> Task:
    """Answer: a cube."""
    a = rng.randint(11, 99)
    return _calc(f"Use the calculator: what is {a} cubed?", f"{a}*{a}*{a}", a**3)


def percent_of(rng: random.Random) -> Task:
    """Answer: a percentage of an amount."""
    p, a = rng.choice([5, 10, 15, 20, 25, 40, 50, 75]), rng.randint(2, 400) * 4
    return _calc(f"Use the calculator: what is {p}% of {a}?", f"{a}*{p}/100", a * p / 100)


def average_four(rng: random.Random) -> Task:
    """Answer: the mean of four numbers."""
    xs = [rng.randint(10, 999) for _ in range(4)]
    return _calc(
        f"Use the calculator: what is the average of {', '.join(map(str, xs))}?",
        f"({'+'.join(map(str, xs))})/4",
        sum(xs) / 4,
    )


def parenthesized(rng: random.Random) -> Task:
    """Answer: (a + b) x c."""
    a, b, c = rng.randint(10, 999), rng.randint(10, 999), rng.randint(2, 99)
    return _calc(f"Use the calculator: what is ({a} + {b}) x {c}?", f"({a}+{b})*{c}", (a + b) * c)


def product_difference(rng: random.Random) -> Task:
    """Answer: a x b - c x d."""
    a, b, c, d = (rng.randint(10, 99) for _ in range(4))
    return _calc(f"Use the calculator: what is {a} x {b} - {c} x {d}?", f"{a}*{b}-{c}*{d}", a * b - c * d)


def total_price(rng: random.Random) -> Task:
    """Answer: a shopping total (quantity times price, summed)."""
    items = [(rng.randint(2, 9), rng.randint(105, 999)) for _ in range(3)]
    text = ", ".join(f"{q} items at {p} cents" for q, p in items)
    return _calc(
        f"Use the calculator: what do {text} cost in cents altogether?",
        "+".join(f"{q}*{p}" for q, p in items),
        sum(q * p for q, p in items),
    )


def minutes_in_days(rng: random.Random) -> Task:
    """Answer: minutes in n days."""
    n = rng.randint(2, 60)
    return _calc(f"Use the calculator: how many minutes are there in {n} days?", f"{n}*24*60", n * 24 * 60)


TEMPLATES = [
    Template("galculator", fn.__name__.replace("_", "-"), fn)
    for fn in (
        add, subtract, multiply, divide, divide_decimal, sum_five, square, cube, percent_of, average_four,
        parenthesized, product_difference, total_price, minutes_in_days,
    )
]  # fmt: skip
