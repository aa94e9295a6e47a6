"""The browser action grammar: one-line calls and JSON tool calls, and their tool specs (no browser)."""

from __future__ import annotations

import json

import pytest

from agora.envs.web.actions import Action, ActionError, parse_action, tool_specs
from agora.envs.web.base import _key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("click(12)", Action("click", {"id": 12})),
        ('  type(3, "blue mug")  ', Action("type", {"id": 3, "text": "blue mug"})),
        ("select(4, 'red')", Action("select", {"id": 4, "option": "red"})),
        ('press("Enter")', Action("press", {"key": "Enter"})),
        ('scroll("down")', Action("scroll", {"direction": "down"})),
        ('goto("/cart")', Action("goto", {"url": "/cart"})),
        ('answer("$12.50")', Action("answer", {"text": "$12.50"})),
        ("noop()", Action("noop", {})),
        ('{"name": "type", "arguments": {"id": 7, "text": "x"}}', Action("type", {"id": 7, "text": "x"})),
        ('{"name": "click", "arguments": "{\\"id\\": 2}"}', Action("click", {"id": 2})),
    ],
)
def test_text_mode_actions_parse(text: str, expected: Action) -> None:
    assert parse_action(text, "text") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("click", "not a call"),
        ("click(1, 2)", "takes 1 argument"),
        ("click('3')", "must be an integer"),
        ("click(True)", "must be an integer"),
        ("type(3, 4)", "quoted string"),
        ("scroll('sideways')", "one of up, down"),
        ("hover(3)", "unknown action 'hover'"),
        ("click(id=3)", "positional"),
        ("click(x)", "literal"),
        ("os.system('ls')", "not a call"),
        ('{"name": 42}', "JSON tool call must look like"),
        ('{"name": "click", "arguments": {"x": 1}}', "needs arguments \\['id'\\]"),
        ("{not json", "invalid JSON"),
    ],
)
def test_malformed_actions_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ActionError, match=message):
        parse_action(text, "text")


def test_pixel_mode_has_its_own_action_set() -> None:
    assert parse_action("click(10, 20)", "pixel") == Action("click", {"x": 10, "y": 20})
    assert parse_action("drag(1, 2, 3, 4)", "pixel").args == {"x1": 1, "y1": 2, "x2": 3, "y2": 4}
    assert parse_action('key("ctrl+a")', "pixel") == Action("key", {"keys": "ctrl+a"})
    with pytest.raises(ActionError, match="takes 2 argument"):
        parse_action("click(3)", "pixel")
    with pytest.raises(ActionError, match="unknown action 'goto'"):
        parse_action('goto("/")', "pixel")


def test_tool_specs_are_openai_functions_matching_the_grammar() -> None:
    specs = {s["function"]["name"]: s["function"] for s in tool_specs("text")}
    assert set(specs) == {"click", "type", "select", "press", "scroll", "goto", "answer", "noop"}
    assert specs["type"]["parameters"]["required"] == ["id", "text"]
    assert specs["scroll"]["parameters"]["properties"]["direction"]["enum"] == ["up", "down", "left", "right"]
    json.dumps(specs)  # plain JSON
    call = {"name": "type", "arguments": {"id": 1, "text": "hi"}}
    assert parse_action(json.dumps(call), "text").args == call["arguments"]


@pytest.mark.parametrize(
    ("keys", "playwright"),
    [
        ("ctrl+a", "Control+a"),
        ("Enter", "Enter"),
        ("shift+tab", "Shift+Tab"),
        ("esc", "Escape"),
        ("up", "ArrowUp"),
    ],
)
def test_key_names_normalise_to_playwright(keys: str, playwright: str) -> None:
    assert _key(keys) == playwright
