"""ToolEnv's argument checks against a tool's JSON schema."""

from __future__ import annotations

from agora.tools import argument_errors

SCHEMA = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "k": {"type": "integer"},
        "tags": {"anyOf": [{"type": "array"}, {"type": "null"}]},
    },
    "required": ["query"],
    "additionalProperties": False,
}


def test_good_arguments_pass():
    assert argument_errors({"query": "x", "k": 3, "tags": None}, SCHEMA) == []


def test_each_problem_is_named():
    errors = argument_errors({"k": "3", "other": 1}, SCHEMA)
    assert errors == [
        "missing required argument 'query'",
        "argument 'k' must be integer, got \"3\"",
        "unknown argument 'other' (expected query, k, tags)",
    ]


def test_booleans_are_not_numbers_and_extra_keys_follow_the_schema():
    assert argument_errors({"query": "x", "k": True}, SCHEMA) == ["argument 'k' must be integer, got true"]
    assert argument_errors({"query": "x", "more": 1}, {**SCHEMA, "additionalProperties": True}) == []
