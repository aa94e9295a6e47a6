"""agora.tools: JSON tool-call parsing and function specs."""

from __future__ import annotations

import doctest

import pytest

import agora.tools
from agora.tools import ToolCall, object_schema, parse_tool_call, tool_spec


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
    assert parse_tool_call('{"name": "f", "arguments": "{\\"x\\": 2}"}') == ToolCall(name="f", arguments={"x": 2})


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


SPECS = [
    tool_spec(
        "search",
        "Searches.",
        object_schema({"query": {"type": "string"}, "k": {"type": "integer"}}, required=["query"]),
    )
]


def test_spec_shape():
    fn = SPECS[0]["function"]
    assert SPECS[0]["type"] == "function" and fn["name"] == "search"
    assert fn["parameters"] == {
        "type": "object",
        "properties": {"query": {"type": "string"}, "k": {"type": "integer"}},
        "required": ["query"],
        "additionalProperties": False,
    }


def test_valid_calls_parse():
    assert parse_tool_call('{"name": "search", "arguments": {"query": "x"}}', SPECS) == ToolCall(
        name="search", arguments={"query": "x"}
    )
    assert parse_tool_call(' {"name": "search", "arguments": {"query": "x", "k": 3}} \n', SPECS).arguments["k"] == 3
    assert isinstance(parse_tool_call('{"name": "anything", "arguments": {}}'), ToolCall)  # no specs: shape only


def test_every_malformed_call_is_an_explanation():
    cases = {
        "": "not JSON",
        "[[[": "not JSON",
        '{"name": 42}': "Invalid tool call",
        '["search"]': "not an object",
        '{"name": "search"}': "arguments: Field required",
        '{"name": "search", "arguments": {"query": "x"}, "id": 1}': "id: Extra inputs are not permitted",
        '{"name": "find", "arguments": {}}': "Unknown tool 'find'. Available tools: search.",
        '{"name": "search", "arguments": {}}': "missing required argument 'query'",
        '{"name": "search", "arguments": {"query": "x", "k": true}}': "must be integer",
        '{"name": "search", "arguments": {"query": "x", "k": 1.5}}': "must be integer",
        '{"name": "search", "arguments": {"query": "x", "top": 1}}': "unknown argument 'top'",
    }
    for text, message in cases.items():
        result = parse_tool_call(text, SPECS)
        assert isinstance(result, str) and message in result, (text, result)


def test_doctests():
    assert doctest.testmod(agora.tools).failed == 0
