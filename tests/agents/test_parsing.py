"""Action extraction: reasoning, game moves and tool calls in the common formats."""

import json

import pytest

from agora.agents.parsing import extract_action, from_openai_tool_calls, parse_tool_calls, strip_reasoning

MOVES = {"legal_actions": ["[0]", "[4]", "[8]"]}
TOOLS = {"tools": [{"type": "function", "function": {"name": "search", "parameters": {}}}]}


def test_think_is_stripped_from_the_action_only():
    reasoning, answer = strip_reasoning("<think>centre is best [0]</think>I play [4]")
    assert reasoning == "<think>centre is best [0]</think>"
    assert answer == "I play [4]"
    parsed = extract_action("<think>maybe [0]?</think>I play [4]", MOVES)
    assert parsed.action == "[4]" and parsed.valid and parsed.reasoning.startswith("<think>")


def test_template_opened_think_and_unclosed_think():
    assert strip_reasoning("hmm [0]</think>[8]") == ("hmm [0]</think>", "[8]")
    parsed = extract_action("<think>still thinking [4]", MOVES)
    assert not parsed.valid and "no bracketed move" in parsed.error


def test_move_is_last_bracket_and_missing_move_is_malformed():
    assert extract_action("[0] or [8]? I take [8]", MOVES).action == "[8]"
    bad = extract_action("the centre please", MOVES)
    assert not bad.valid and bad.action == "the centre please"


def test_tool_call_blocks():
    text = 'Let me look.<tool_call>{"name": "search", "arguments": {"q": "x"}}</tool_call>'
    parsed = extract_action(text, TOOLS)
    assert parsed.valid and parsed.tool_calls == [{"name": "search", "arguments": {"q": "x"}}]
    assert json.loads(parsed.action) == {"name": "search", "arguments": {"q": "x"}}
    two = parse_tool_calls(
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>'
        '<tool_call>{"name": "b", "arguments": "{\\"k\\": 1}"}</tool_call>'
    )
    assert two == [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"k": 1}}]
    assert json.loads(
        extract_action('<tool_call>{"name": "a"}</tool_call><tool_call>{"name": "b"}</tool_call>', TOOLS).action
    ) == [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {}}]


def test_bare_and_fenced_json():
    assert parse_tool_calls('{"name": "search", "arguments": {"q": 1}}') == [{"name": "search", "arguments": {"q": 1}}]
    fenced = 'Sure:\n```json\n{"name": "search", "parameters": {"q": 2}}\n```'
    assert parse_tool_calls(fenced) == [{"name": "search", "arguments": {"q": 2}}]
    assert parse_tool_calls('{"answer": 3}') == []


def test_openai_tool_calls():
    calls = [{"id": "c1", "type": "function", "function": {"name": "search", "arguments": '{"q": "y"}'}}]
    assert from_openai_tool_calls(calls) == [{"name": "search", "arguments": {"q": "y"}}]
    parsed = extract_action("", TOOLS, tool_calls=calls)
    assert parsed.valid and json.loads(parsed.action)["arguments"] == {"q": "y"}


@pytest.mark.parametrize(
    "text",
    [
        '<tool_call>{"name": "search", "arguments": {</tool_call>',
        '<tool_call>{"arguments": {}}</tool_call>',
        '<tool_call>{"name": "s", "arguments": [1]}</tool_call>',
    ],
)
def test_malformed_tool_calls_are_invalid_actions(text):
    parsed = extract_action(text, TOOLS)
    assert not parsed.valid and parsed.error.startswith("malformed tool call")


def test_plain_answer_in_tool_env_and_text_mode():
    assert extract_action("<think>x</think>The answer is 42.", TOOLS).action == "The answer is 42."
    assert extract_action("<think>x</think> Paris ", {}).action == "Paris"
    assert not extract_action("<think>only thoughts</think>", {}).valid
