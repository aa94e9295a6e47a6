"""Scripted experts: they solve MiniWoB++ tasks through the env's own actions.

`miniwob_plan(task, observation)` reads the first observation (instruction and element ids) and
returns the action lines that solve the task (the shop's expert is in `agora.envs.web.shop.agents`).
Tests and the benchmark use them; they are not agents for training.
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


def click(obs: str, pattern: str) -> str:
    """The action that clicks the first element matching the regex `pattern`."""
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
    return click(obs, 'button "(Submit|submit|Login)"')


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
