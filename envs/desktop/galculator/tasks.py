"""galculator templates: arithmetic questions graded by the exact answer, settings graded by the saved config.

The calculator starts in its basic mode, maximized. The oracle types the expression ending in ``=`` (the
calculator's keyboard input) and answers with the value; numbers are drawn so every result is exact. For a
settings task the oracle picks View > Scientific Mode with the mouse and the number base and angle unit
with their shortcuts; the grader closes galculator (as its close button would), which writes
``~/.config/galculator/galculator.conf``, and reads the mode, base and angle from there.
"""

from __future__ import annotations

import random

from agora.envs.desktop.templates import State, Task, Template, answer, key, type_

CONFIG = ".config/galculator/galculator.conf"
"""Where galculator saves its settings (on quitting), relative to the home directory."""
VIEW_MENU, SCIENTIFIC_ITEM = (103, 12), (158, 62)
"""The View menu and its "Scientific Mode" item, in the maximized basic-mode window."""
NUMBER_BASES = {
    "Decimal": ("ctrl+d", "0"),
    "Hexadecimal": ("ctrl+h", "1"),
    "Octal": ("ctrl+o", "2"),
    "Binary": ("ctrl+b", "3"),
}
"""Calculator > Number bases: each base's shortcut (scientific mode) and its ``default_number_base`` value."""
ANGLE_UNITS = {"Degrees": ("ctrl+e", "0"), "Radians": ("ctrl+r", "1"), "Gradians": ("ctrl+g", "2")}
"""Calculator > Angle units: each unit's shortcut (scientific mode) and its ``default_angle_base`` value."""


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


def scientific_settings(rng: random.Random) -> Task:
    """Setting: scientific mode with a number base and an angle unit (not both galculator's defaults)."""
    base, angle = "Decimal", "Radians"
    while (base, angle) == ("Decimal", "Radians"):
        base, angle = rng.choice(list(NUMBER_BASES)), rng.choice(list(ANGLE_UNITS))
    (base_key, base_value), (angle_key, angle_value) = NUMBER_BASES[base], ANGLE_UNITS[angle]

    def check(s: State) -> float:
        saved = (s.ini(CONFIG, "general", k) for k in ("mode", "default_number_base", "default_angle_base"))
        return float(tuple(saved) == ("1", base_value, angle_value))

    oracle = (f"click{VIEW_MENU}", "wait()", f"click{SCIENTIFIC_ITEM}", "wait()", key(base_key), key(angle_key))
    return Task(
        f"Switch galculator to Scientific Mode, with the number base {base} and the angle unit {angle}"
        " (Calculator menu).",
        {},
        (*oracle, "wait()", answer("")),
        check=check,
        close_app=True,
    )


TEMPLATES = [
    Template("galculator", fn.__name__.replace("_", "-"), fn)
    for fn in (
        add, subtract, multiply, divide, divide_decimal, sum_five, square, cube, percent_of, average_four,
        parenthesized, product_difference, total_price, minutes_in_days, scientific_settings,
    )
]  # fmt: skip
