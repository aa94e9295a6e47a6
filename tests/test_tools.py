"""agora.tools: tool specs in the OpenAI format and JSON tool-call parsing that never raises."""

from __future__ import annotations

import doctest

import agora.tools
from agora.tools import ToolCall, parse_tool_call, tool_spec

SPECS = [
    tool_spec(
        "search", "Searches.", {"query": {"type": "string"}, "k": {"type": "integer"}}, required=["query"]
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
    assert (
        parse_tool_call(' {"name": "search", "arguments": {"query": "x", "k": 3}} \n', SPECS).arguments["k"]
        == 3
    )
    assert isinstance(
        parse_tool_call('{"name": "anything", "arguments": {}}'), ToolCall
    )  # no specs: shape only


def test_every_malformed_call_is_an_explanation():
    cases = {
        "": "not valid JSON",
        "[[[": "not valid JSON",
        '{"name": 42}': "must be a JSON object",
        '["search"]': "must be a JSON object",
        '{"name": "search"}': "must be a JSON object",
        '{"name": "search", "arguments": {"query": "x"}, "id": 1}': "must be a JSON object",
        '{"name": "find", "arguments": {}}': "Unknown tool 'find'. Available tools: search.",
        '{"name": "search", "arguments": {}}': "missing required argument 'query'",
        '{"name": "search", "arguments": {"query": "x", "k": true}}': "must be of JSON type integer",
        '{"name": "search", "arguments": {"query": "x", "k": 1.5}}': "must be of JSON type integer",
        '{"name": "search", "arguments": {"query": "x", "top": 1}}': "unknown argument 'top'",
    }
    for text, message in cases.items():
        result = parse_tool_call(text, SPECS)
        assert isinstance(result, str) and message in result, (text, result)


def test_doctests():
    assert doctest.testmod(agora.tools).failed == 0
