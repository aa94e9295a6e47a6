"""Scripted experts: they solve MiniWoB++ tasks and every shop task through the env's own actions.

`miniwob_plan(task, observation)` reads the first observation (instruction and element ids) and
returns the action lines that solve the task; `shop_plan(env)` does the same for a shop episode,
using the goal and catalogue the env drew (an oracle knows the answer; it still has to operate the
site: search, open the product, set the quantity, fill the checkout form). Tests and the benchmark
use them; they are not agents for training.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Plan = list[str]


def element_id(observation: str, pattern: str) -> int:
    """The id of the first element line matching the regex `pattern` (``[12] button "OK"`` -> 12)."""
    for line in observation.splitlines():
        found = re.match(r"\s*\[(\d+)\] (.*)", line)
        if found and re.search(pattern, found.group(2)):
            return int(found.group(1))
    raise LookupError(f"no element matches {pattern!r} in:\n{observation}")


def element_ids(observation: str, pattern: str) -> list[int]:
    """The ids of every element line matching `pattern`, in page order."""
    ids = []
    for line in observation.splitlines():
        found = re.match(r"\s*\[(\d+)\] (.*)", line)
        if found and re.search(pattern, found.group(2)):
            ids.append(int(found.group(1)))
    return ids


def _task(observation: str) -> str:
    return observation.splitlines()[0].removeprefix("Task: ")


def _quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]*)"', text)


def _name(text: str) -> str:
    return re.escape(f'"{text}"')


def _click(obs: str, pattern: str) -> str:
    return f"click({element_id(obs, pattern)})"


def _click_button(obs: str) -> Plan:
    return [f"click({element_id(obs, 'button ' + _name(_quoted(_task(obs))[0]))})"]


def _click_link(obs: str) -> Plan:
    return [f"click({element_id(obs, _name(_quoted(_task(obs))[0]) + '$')})"]


def _click_test(obs: str) -> Plan:
    return [f"click({element_id(obs, 'button ')})"]


def _click_test_2(obs: str) -> Plan:
    which = re.search(r"button (\w+)", _task(obs)).group(1)
    return [f"click({element_id(obs, 'button ' + _name(which))})"]


def _click_button_sequence(obs: str) -> Plan:
    return [f"click({element_id(obs, 'button ' + _name(w))})" for w in ("ONE", "TWO")]


def _submit(obs: str) -> str:
    return _click(obs, 'button "(Submit|submit|Login)"')


def _click_option(obs: str) -> Plan:
    choice = re.search(r"Select (.*) and click Submit", _task(obs)).group(1)
    return [f"click({element_id(obs, 'radio ' + _name(choice))})", _submit(obs)]


def _click_checkboxes(obs: str) -> Plan:
    listed = re.search(r"Select (.*) and click Submit", _task(obs)).group(1)
    names = [] if listed == "nothing" else [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", listed)]
    return [f"click({element_id(obs, 'checkbox ' + _name(n))})" for n in names if n] + [_submit(obs)]


def _choose_list(obs: str) -> Plan:
    choice = re.search(r"Select (.*) from the list", _task(obs)).group(1)
    return [f'select({element_id(obs, "combobox")}, "{choice}")', _submit(obs)]


def _enter_text(obs: str) -> Plan:
    return [f'type({element_id(obs, "textbox")}, "{_quoted(_task(obs))[0]}")', _submit(obs)]


def _enter_text_2(obs: str) -> Plan:
    word = _quoted(_task(obs))[0]
    want = word.upper() if "upper case" in _task(obs) else word.lower()
    return [f'type({element_id(obs, "textbox")}, "{want}")', _submit(obs)]


def _enter_password(obs: str) -> Plan:
    password = _quoted(_task(obs))[0]
    return [f'type({i}, "{password}")' for i in element_ids(obs, "textbox")] + [_submit(obs)]


def _login_user(obs: str) -> Plan:
    user, password = _quoted(_task(obs))[:2]
    boxes = element_ids(obs, "textbox")
    return [f'type({boxes[0]}, "{user}")', f'type({boxes[1]}, "{password}")', _submit(obs)]


def _focus_text(obs: str) -> Plan:
    return [f"click({element_ids(obs, 'textbox')[0]})"]


def _focus_text_2(obs: str) -> Plan:
    nth = int(re.search(r"(\d+)(st|nd|rd|th)", _task(obs)).group(1))
    return [f"click({element_ids(obs, 'textbox')[nth - 1]})"]


def _click_tab(obs: str) -> Plan:
    n = re.search(r"Tab #(\d+)", _task(obs)).group(1)
    return [f"click({element_id(obs, _name('Tab #' + n))})"]


def _click_collapsible(obs: str) -> Plan:
    return [f"click({element_id(obs, 'Section')})", _submit(obs)]


MINIWOB_EXPERTS: dict[str, Callable[[str], Plan]] = {
    "click-button": _click_button,
    "click-link": _click_link,
    "click-test": _click_test,
    "click-test-2": _click_test_2,
    "click-button-sequence": _click_button_sequence,
    "click-option": _click_option,
    "click-checkboxes": _click_checkboxes,
    "choose-list": _choose_list,
    "enter-text": _enter_text,
    "enter-text-2": _enter_text_2,
    "enter-password": _enter_password,
    "login-user": _login_user,
    "focus-text": _focus_text,
    "focus-text-2": _focus_text_2,
    "click-tab": _click_tab,
    "click-collapsible": _click_collapsible,
}
"""MiniWoB++ task -> a planner from the first text observation to the solving actions."""


def miniwob_plan(task: str, observation: str) -> Plan:
    """The actions that solve MiniWoB task `task` from its first (text-mode) observation."""
    return MINIWOB_EXPERTS[task](str(observation))


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
        self.product = (
            None if self.goal.answer is not None else shop_target(self.goal.attributes, session.catalogue)
        )
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
        return _click(obs, 'button "Search"')

    def _open_product(self, obs: str) -> str:
        lines = obs.splitlines()
        for k, line in enumerate(lines):
            if f'"{self.product.color}, {self.product.price}"' in line and k + 1 < len(lines):
                return f"click({element_id(lines[k + 1], 'link')})"
        return _click(obs, 'link "Next page"')

    def _product(self, obs: str) -> str:
        qty = element_id(obs, "spinbutton")
        if f'value="{self.quantity}"' not in obs.splitlines()[_line_of(obs, "spinbutton")]:
            return f'type({qty}, "{self.quantity}")'
        return _click(obs, 'button "Add to cart"')

    def _cart(self, obs: str) -> str:
        for line in obs.splitlines():
            found = re.match(r"\s*\[(\d+)\] link \"Remove (.*)\"", line)
            if found and found.group(2) != self.product.name:
                return f"click({found.group(1)})"
        return _click(obs, 'link "Proceed to checkout"')

    def _checkout(self, obs: str) -> str:
        a = self.goal.attributes
        for label, key in (("Full name", "name"), ("City", "city")):
            pattern = f'textbox "{label}"'
            if key in a and f'value="{a[key]}"' not in obs.splitlines()[_line_of(obs, pattern)]:
                return f'type({element_id(obs, pattern)}, "{a[key]}")'
        if a.get("shipping") == "express" and 'value="Express' not in obs:
            shipping = element_id(obs, 'combobox "Shipping"')
            return f'select({shipping}, "Express ($9.99, next day)")'
        return _click(obs, 'button "Place order"')


def _line_of(obs: str, pattern: str) -> int:
    for k, line in enumerate(obs.splitlines()):
        if re.search(pattern, line):
            return k
    raise LookupError(f"no line matches {pattern!r}")
