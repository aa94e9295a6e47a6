"""The shop's scripted expert: it completes every shop task by operating the site.

`ShopExpert(env.session)` uses the goal and catalogue the env drew (an oracle knows the answer; it
still has to operate the site: search, open the product, set the quantity, fill the checkout form).
Tests and the benchmark use it; it is not an agent for training.
"""

from __future__ import annotations

import re

from agora.envs.web.miniwob.agents import click, element_id


def shop_target(goal_attributes: dict, catalogue: list) -> object:
    """The product an expert buys for a goal: the cheapest one that meets every product attribute."""
    a = goal_attributes
    fits = [
        p
        for p in catalogue
        if p.category == a["category"]
        and p.color == a["color"]
        and p.brand == a.get("brand", p.brand)
        and p.price_cents <= a.get("max_price", p.price_cents)
    ]
    return min(fits, key=lambda p: (p.price_cents, p.id))


class ShopExpert:
    """A policy that completes a shop episode by operating the site page by page.

    Built from the env's episode (`env.session`: goal and catalogue); `act(observation)` returns
    the next action line for whatever page the observation shows.
    """

    def __init__(self, session: object):
        self.goal = session.goal
        self.product = None if self.goal.answer is not None else shop_target(self.goal.attributes, session.catalogue)
        self.quantity = int(self.goal.attributes.get("quantity", 1))

    def act(self, observation: str) -> str:
        """The next action for the page in `observation`."""
        obs = str(observation)
        if self.goal.answer is not None:
            return f'answer("{self.goal.answer}")'
        page = re.search(r"^Page: (\S*)", obs, re.M).group(1)
        if page.startswith("/product/"):
            return self._product(obs)
        if page.startswith("/cart"):
            return self._cart(obs)
        if page.startswith("/checkout"):
            return self._checkout(obs)
        if page.startswith("/search") and self._search_done(obs):
            return self._open_product(obs)
        return self._search(obs)

    def _search_done(self, obs: str) -> bool:
        return f'value="{self.product.name}"' in obs and "results" in obs

    def _search(self, obs: str) -> str:
        p = self.product
        steps = [
            ('textbox "Search"', f'value="{p.name}"', lambda i: f'type({i}, "{p.name}")'),
            ('combobox "Category"', f'value="{p.category}"', lambda i: f'select({i}, "{p.category}")'),
            ('combobox "Colour"', f'value="{p.color}"', lambda i: f'select({i}, "{p.color}")'),
        ]
        for pattern, done, action in steps:
            line = obs.splitlines()[_line_of(obs, pattern)]
            if done not in line:
                return action(element_id(obs, pattern))
        return click(obs, 'button "Search"')

    def _open_product(self, obs: str) -> str:
        lines = obs.splitlines()
        for k, line in enumerate(lines):
            if f'"{self.product.color}, {self.product.price}"' in line and k + 1 < len(lines):
                return f"click({element_id(lines[k + 1], 'link')})"
        return click(obs, 'link "Next page"')

    def _product(self, obs: str) -> str:
        qty = element_id(obs, "spinbutton")
        if f'value="{self.quantity}"' not in obs.splitlines()[_line_of(obs, "spinbutton")]:
            return f'type({qty}, "{self.quantity}")'
        return click(obs, 'button "Add to cart"')

    def _cart(self, obs: str) -> str:
        for line in obs.splitlines():
            found = re.match(r"\s*\[(\d+)\] link \"Remove (.*)\"", line)
            if found and found.group(2) != self.product.name:
                return f"click({found.group(1)})"
        return click(obs, 'link "Proceed to checkout"')

    def _checkout(self, obs: str) -> str:
        a = self.goal.attributes
        for label, key in (("Full name", "name"), ("City", "city")):
            pattern = f'textbox "{label}"'
            if key in a and f'value="{a[key]}"' not in obs.splitlines()[_line_of(obs, pattern)]:
                return f'type({element_id(obs, pattern)}, "{a[key]}")'
        if a.get("shipping") == "express" and 'value="Express' not in obs:
            shipping = element_id(obs, 'combobox "Shipping"')
            return f'select({shipping}, "Express ($9.99, next day)")'
        return click(obs, 'button "Place order"')


def _line_of(obs: str, pattern: str) -> int:
    for k, line in enumerate(obs.splitlines()):
        if re.search(pattern, line):
            return k
    raise LookupError(f"no line matches {pattern!r}")
