"""Shop catalogue and WebShop-style scoring on hand-made orders (no browser)."""

from __future__ import annotations

import numpy as np
import pytest

from agora.envs.web.shop.app import ShopPages, ShopSession
from agora.envs.web.shop.catalog import Product, make_catalogue
from agora.envs.web.shop.tasks import TEMPLATES, Goal, Order, score_answer, score_order

MUG_BLUE = Product(1, "Acme Classic Mug", "mug", "blue", "Acme", 1250, 4)
MUG_RED = Product(2, "Acme Travel Mug", "mug", "red", "Acme", 900, 3)
MUG_BLUE_CHEAP = Product(3, "Dune Studio Mug", "mug", "blue", "Dune", 700, 5)
LAMP = Product(4, "Fjord Nordic Lamp", "lamp", "blue", "Fjord", 3000, 2)
CATALOGUE = [MUG_BLUE, MUG_RED, MUG_BLUE_CHEAP, LAMP]
GOAL = Goal(
    "Buy 2 blue mugs from Acme under $15 each",
    {"category": "mug", "color": "blue", "brand": "Acme", "max_price": 1500, "quantity": 2, "only": True},
)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ({1: 2}, 1.0),  # everything right
        ({1: 1}, 5 / 6),  # wrong quantity
        ({2: 2}, 5 / 6),  # wrong colour
        ({3: 2}, 5 / 6),  # wrong brand
        ({1: 2, 4: 1}, 5 / 6),  # an extra item: "only" fails
        ({4: 1}, 2 / 6),  # a blue lamp: only colour and "only" hold ($30 > $15, Fjord, 1 of 2)
    ],
)
def test_order_scores_the_fraction_of_attributes_met(lines: dict[int, int], expected: float) -> None:
    assert score_order(GOAL, Order(lines), CATALOGUE) == pytest.approx(expected)


def test_empty_order_scores_zero_and_best_line_counts() -> None:
    assert score_order(GOAL, Order({}), CATALOGUE) == 0.0
    # two lines: the blue Acme mug line is judged (5 of 6: only fails), not the lamp line
    assert score_order(GOAL, Order({4: 1, 1: 2}), CATALOGUE) == pytest.approx(5 / 6)


def test_cheapest_and_checkout_attributes() -> None:
    cheapest = Goal("", {"category": "mug", "color": "blue", "cheapest": True, "quantity": 1, "only": True})
    assert score_order(cheapest, Order({3: 1}), CATALOGUE) == 1.0
    assert score_order(cheapest, Order({1: 1}), CATALOGUE) == pytest.approx(4 / 5)
    ship = Goal("", {"category": "lamp", "quantity": 1, "shipping": "express", "name": "Bo Chen", "city": "Oslo"})
    assert score_order(ship, Order({4: 1}, name=" bo chen ", city="Oslo", shipping="express"), CATALOGUE) == 1.0
    assert score_order(ship, Order({4: 1}, name="Bo", city="Oslo", shipping="standard"), CATALOGUE) == 0.6


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("$12.50", 1.0), ("12.5", 1.0), ("It costs 12.50 dollars", 1.0), ("$12.49", 0.0), ("no idea", 0.0)],
)
def test_answers_are_scored_on_the_amount(answer: str, expected: float) -> None:
    assert score_answer(Goal("", {}, answer="$12.50"), answer) == expected


def test_catalogue_and_goals_repeat_for_a_seed() -> None:
    first, second = make_catalogue(np.random.default_rng(7)), make_catalogue(np.random.default_rng(7))
    assert first == second and len(first) == 48
    assert len({(p.name, p.color) for p in first}) == 48
    for name, template in TEMPLATES.items():
        a = template(first, np.random.default_rng(3))
        b = template(first, np.random.default_rng(3))
        assert a == b, name


def test_every_buying_goal_can_be_met_by_some_product() -> None:
    from agora.envs.web.shop.agents import shop_target

    for seed in range(30):
        rng = np.random.default_rng(seed)
        catalogue = make_catalogue(rng)
        for name, template in TEMPLATES.items():
            goal = template(catalogue, rng)
            if goal.answer is None:
                target = shop_target(goal.attributes, catalogue)
                order = Order({target.id: goal.attributes["quantity"]}, "", "", "")
                attrs = {k: v for k, v in goal.attributes.items() if k not in ("shipping", "name", "city")}
                assert score_order(Goal("", attrs), order, catalogue) == 1.0, (seed, name)


def test_shop_pages_apply_cart_and_order_requests() -> None:
    session = ShopSession(CATALOGUE, GOAL)
    pages = ShopPages(session)
    status, kind, body = pages("/search", {"q": "mug", "color": "blue", "sort": "price"})
    assert status == 200 and body.index(b"Dune Studio Mug") < body.index(b"Acme Classic Mug")
    assert b"Fjord" not in body
    assert pages("/cart/add", {"id": "1", "qty": "2"})[1] == "redirect"
    assert pages("/cart/add", {"id": "99", "qty": "2"})[1] == "redirect" and session.cart == {1: 2}
    assert b"Quantity: 2" in pages("/cart", {})[2]
    pages("/order/place", {"name": "Ada", "city": "Oslo", "shipping": "express"})
    assert session.order == Order({1: 2}, "Ada", "Oslo", "express")
    assert pages("/cart", {})[1] == "redirect"  # after the order, every page leads to the confirmation
