"""agora.tools: JSON tool-call parsing and function specs."""

from __future__ import annotations

import pytest

from agora.tools import ToolCall, parse_tool_call, tool_spec


def test_parses_a_call_plain_and_fenced():
    text = '{"name": "sql", "arguments": {"query": "SELECT 1"}}'
    expected = ToolCall(name="sql", arguments={"query": "SELECT 1"})
    assert parse_tool_call(text) == expected
    assert parse_tool_call(f"```json\n{text}\n```") == expected
    assert parse_tool_call(f"  {text}\n") == expected


def test_openai_tool_call_entries_are_unwrapped():
    entry = '{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\\"x\\": 2}"}}'
    assert parse_tool_call(entry) == ToolCall(name="f", arguments={"x": 2})


def test_arguments_as_a_json_string_are_decoded():
    assert parse_tool_call('{"name": "f", "arguments": "{\\"x\\": 2}"}') == ToolCall(
        name="f", arguments={"x": 2}
    )


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "not JSON"),
        ("sql(SELECT 1)", "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"name": 42, "arguments": {}}', "name"),
        ('{"name": "f"}', "arguments"),
        ('{"name": "f", "arguments": {}, "extra": 1}', "extra"),
        ('{"name": "f", "arguments": "not json"}', "not JSON"),
        ('{"name": "f", "arguments": [1]}', "arguments"),
    ],
)
def test_bad_calls_give_an_error_with_the_expected_format(text, says):
    error = parse_tool_call(text)
    assert isinstance(error, str)
    assert says in error and '{"name": "<tool name>"' in error


def test_tool_spec_is_openai_function_format():
    params = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    assert tool_spec("search", "Search.", params) == {
        "type": "function",
        "function": {"name": "search", "description": "Search.", "parameters": params},
    }
