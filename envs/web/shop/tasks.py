"""The shop's task templates: each draws a goal from the catalogue and scores the final state.

Scoring follows WebShop: a goal is a list of attributes (category, colour, brand, price limit,
quantity, shipping, ...) and the reward is the fraction of them that the placed order satisfies,
judged on the order line that matches best. ``only`` (no other items in the order) is one of the
attributes, so buying extra things costs credit. A question task is scored on the answer instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from agora.envs.web.shop.catalog import Product

NAMES = ("Ada Park", "Bo Chen", "Cleo Diaz", "Dev Patel", "Eli Novak", "Fay Okafor")
CITIES = ("Lisbon", "Oslo", "Quito", "Nairobi", "Hanoi", "Perth")


@dataclass
class Order:
    """What the shopper bought: product id -> quantity, and the checkout form."""

    lines: dict[int, int]
    name: str = ""
    city: str = ""
    shipping: str = ""


@dataclass
class Goal:
    """A task: its instruction, the attributes an order must satisfy, and the starting cart."""

    instruction: str
    attributes: dict[str, object]
    cart: dict[int, int] = field(default_factory=dict)
    answer: str | None = None
    """The expected answer of a question task (None for buying tasks)."""


def _pick(rng: np.random.Generator, items: list[Product]) -> Product:
    return items[int(rng.integers(len(items)))]


def _limit(product: Product, rng: np.random.Generator) -> int:
    """A whole-dollar price limit just above the product's price."""
    return product.price_cents // 100 + 1 + int(rng.integers(0, 4))


def buy(catalogue: list[Product], rng: np.random.Generator) -> Goal:
    """One item by colour, category, brand and price limit."""
    p = _pick(rng, catalogue)
    limit = _limit(p, rng)
    return Goal(
        f"Buy a {p.color} {p.category} from {p.brand} that costs less than ${limit}.",
        {
            "category": p.category,
            "color": p.color,
            "brand": p.brand,
            "max_price": limit * 100,
            "quantity": 1,
            "only": True,
        },
    )


def buy_many(catalogue: list[Product], rng: np.random.Generator) -> Goal:
    """Several of one kind of item under a price each."""
    p = _pick(rng, catalogue)
    n = int(rng.integers(2, 5))
    limit = _limit(p, rng)
    return Goal(
        f"Buy {n} {p.color} {p.category}s that cost at most ${limit} each (all {n} of the same product).",
        {"category": p.category, "color": p.color, "max_price": limit * 100, "quantity": n, "only": True},
    )


def cheapest(catalogue: list[Product], rng: np.random.Generator) -> Goal:
    """The cheapest item of a colour and category."""
    p = _pick(rng, catalogue)
    return Goal(
        f"Buy the cheapest {p.color} {p.category} in the shop.",
        {"category": p.category, "color": p.color, "cheapest": True, "quantity": 1, "only": True},
    )


def checkout(catalogue: list[Product], rng: np.random.Generator) -> Goal:
    """An item delivered by express shipping to a named person."""
    p = _pick(rng, catalogue)
    name, city = NAMES[int(rng.integers(len(NAMES)))], CITIES[int(rng.integers(len(CITIES)))]
    return Goal(
        f"Buy a {p.color} {p.category} from {p.brand} and send it by express shipping to {name} in {city}.",
        {
            "category": p.category,
            "color": p.color,
            "brand": p.brand,
            "quantity": 1,
            "only": True,
            "shipping": "express",
            "name": name,
            "city": city,
        },
    )


def fix_cart(catalogue: list[Product], rng: np.random.Generator) -> Goal:
    """The cart starts with unwanted items; check out with only the wanted one."""
    p = _pick(rng, catalogue)
    others = [q for q in catalogue if q.category != p.category][:3]
    extra = others[int(rng.integers(len(others)))]
    n = int(rng.integers(1, 4))
    return Goal(
        f"Your cart holds something you do not want. Check out with exactly {n} {p.color} {p.category} "
        f"from {p.brand} and nothing else.",
        {"category": p.category, "color": p.color, "brand": p.brand, "quantity": n, "only": True},
        cart={extra.id: 1},
    )


def price_check(catalogue: list[Product], rng: np.random.Generator) -> Goal:
    """A question: the price of a named product (answer with answer("$12.34"))."""
    p = _pick(rng, catalogue)
    return Goal(
        f'What does the {p.color} {p.name} cost? Reply with answer("$<price>"), e.g. answer("$9.99").',
        {},
        answer=p.price,
    )


TEMPLATES: dict[str, Callable[[list[Product], np.random.Generator], Goal]] = {
    "buy": buy,
    "buy-many": buy_many,
    "cheapest": cheapest,
    "checkout": checkout,
    "fix-cart": fix_cart,
    "price-check": price_check,
}


def score_order(goal: Goal, order: Order, catalogue: list[Product]) -> float:
    """The fraction of the goal's attributes that `order` satisfies (its best-matching line)."""
    by_id = {p.id: p for p in catalogue}
    lines = [(by_id[i], q) for i, q in order.lines.items() if q > 0]
    if not lines or not goal.attributes:
        return 0.0
    return max(_line_score(goal, product, qty, len(lines), order, catalogue) for product, qty in lines)


def _line_score(goal: Goal, product: Product, qty: int, n_lines: int, order: Order, catalogue: list[Product]) -> float:
    checks = {
        "category": lambda v: product.category == v,
        "color": lambda v: product.color == v,
        "brand": lambda v: product.brand == v,
        "max_price": lambda v: product.price_cents <= v,
        "quantity": lambda v: qty == v,
        "only": lambda v: n_lines == 1,
        "shipping": lambda v: order.shipping == v,
        "name": lambda v: order.name.strip().lower() == str(v).lower(),
        "city": lambda v: order.city.strip().lower() == str(v).lower(),
        "cheapest": lambda v: (
            product.price_cents
            == min(
                p.price_cents
                for p in catalogue
                if p.category == goal.attributes["category"] and p.color == goal.attributes["color"]
            )
        ),
    }
    met = sum(bool(checks[k](v)) for k, v in goal.attributes.items())
    return met / len(goal.attributes)


def score_answer(goal: Goal, text: str) -> float:
    """1.0 when the answer names the expected amount (``$12.50``, ``12.5``, ``12.50 dollars``), else 0."""
    if goal.answer is None:
        return 0.0
    found = re.search(r"\d+(?:\.\d+)?", text.replace(",", ""))
    return float(found is not None and abs(float(found.group()) - float(goal.answer.lstrip("$"))) < 0.005)
