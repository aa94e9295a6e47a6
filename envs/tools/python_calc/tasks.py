"""Procedurally generated, verifiable puzzles for PythonCalc: arithmetic, combinatorics, strings, dates.

Each generator takes the episode's RNG and returns a `Task` whose answer was computed here, exactly.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
INTEGER = "Answer with an integer."


@dataclass(frozen=True)
class Task:
    """One puzzle: its kind, the question shown to the agent and the exact answer."""

    kind: str
    question: str
    answer: str
    integer: bool = True


def _int(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def sum_of_squares(rng: np.random.Generator) -> Task:
    """Sum of i*i over a range."""
    lo = _int(rng, 1, 50)
    hi = lo + _int(rng, 100, 2000)
    total = sum(i * i for i in range(lo, hi + 1))
    return Task(
        "sum_of_squares",
        f"What is the sum of the squares of the integers from {lo} to {hi} inclusive? {INTEGER}",
        str(total),
    )


def power_mod(rng: np.random.Generator) -> Task:
    """Modular exponentiation."""
    a, e, m = _int(rng, 2, 999), _int(rng, 100, 10**6), _int(rng, 1000, 10**6)
    return Task("power_mod", f"What is {a} raised to the power {e}, modulo {m}? {INTEGER}", str(pow(a, e, m)))


def binomial(rng: np.random.Generator) -> Task:
    """Ways to choose k of n."""
    n = _int(rng, 20, 60)
    k = _int(rng, 3, n // 2)
    return Task(
        "binomial",
        f"In how many ways can a committee of {k} be chosen from {n} people? {INTEGER}",
        str(math.comb(n, k)),
    )


def arrangements(rng: np.random.Generator) -> Task:
    """Distinct arrangements of a word with repeated letters (a multinomial coefficient)."""
    word = "".join(rng.choice(list("abcde"), size=_int(rng, 8, 11)))
    ways = math.factorial(len(word))
    for count in Counter(word).values():
        ways //= math.factorial(count)
    return Task(
        "arrangements",
        f"How many distinct strings can be made by rearranging all the letters of {word!r}? {INTEGER}",
        str(ways),
    )


def divisible_count(rng: np.random.Generator) -> Task:
    """Inclusion-exclusion over two divisors."""
    n, a, b = _int(rng, 10**4, 10**6), _int(rng, 3, 40), _int(rng, 3, 40)
    count = n // a + n // b - n // math.lcm(a, b)
    return Task(
        "divisible_count",
        f"How many integers from 1 to {n} inclusive are divisible by {a} or by {b} (or both)? {INTEGER}",
        str(count),
    )


def letter_count(rng: np.random.Generator) -> Task:
    """Counting a pattern in a long random string (overlaps allowed)."""
    text = "".join(rng.choice(list("abc"), size=_int(rng, 150, 300)))
    pattern = "".join(rng.choice(list("abc"), size=2))
    count = sum(text.startswith(pattern, i) for i in range(len(text)))
    return Task(
        "letter_count",
        f"How many times does {pattern!r} occur in the following string, counting "
        f"overlapping occurrences? {INTEGER}\n{text}",
        str(count),
    )


def _date(rng: np.random.Generator) -> datetime.date:
    return datetime.date(1900, 1, 1) + datetime.timedelta(days=_int(rng, 0, 200 * 365))


def weekday(rng: np.random.Generator) -> Task:
    """The day of the week of a date."""
    day = _date(rng)
    return Task(
        "weekday",
        f"On which day of the week did (or will) {day.isoformat()} fall? Answer with the "
        "weekday's English name, e.g. Monday.",
        WEEKDAYS[day.weekday()],
        integer=False,
    )


def days_between(rng: np.random.Generator) -> Task:
    """Days between two dates."""
    first, second = sorted((_date(rng), _date(rng)))
    return Task(
        "days_between",
        f"How many days are there from {first.isoformat()} to {second.isoformat()} "
        f"(the number of days to add to the first date to reach the second)? {INTEGER}",
        str((second - first).days),
    )


def date_add(rng: np.random.Generator) -> Task:
    """A date plus a number of days."""
    day, delta = _date(rng), _int(rng, 1000, 20000)
    return Task(
        "date_add",
        f"Which date is {delta} days after {day.isoformat()}? Answer as YYYY-MM-DD.",
        (day + datetime.timedelta(days=delta)).isoformat(),
        integer=False,
    )


GENERATORS: dict[str, Callable[[np.random.Generator], Task]] = {
    g.__name__: g
    for g in (
        sum_of_squares,
        power_mod,
        binomial,
        arrangements,
        divisible_count,
        letter_count,
        weekday,
        days_between,
        date_add,
    )
}


def generate(rng: np.random.Generator, kind: str | None = None) -> Task:
    """A task of `kind` (a key of `GENERATORS`), or of a kind drawn with `rng`."""
    if kind is None:
        kind = sorted(GENERATORS)[int(rng.integers(len(GENERATORS)))]
    if kind not in GENERATORS:
        raise ValueError(f"Unknown PythonCalc task kind {kind!r}; choose one of {', '.join(sorted(GENERATORS))}.")
    return GENERATORS[kind](rng)


def is_correct(task: Task, reply: str) -> bool:
    """Whether `reply` is the task's answer (case, spaces, a final period and digit separators ignored)."""
    given = reply.strip().rstrip(".").strip()
    if task.integer:
        given = given.replace(",", "").replace("_", "").replace(" ", "")
        try:
            return int(given) == int(task.answer)
        except ValueError:
            return False
    return given.lower() == task.answer.lower()
