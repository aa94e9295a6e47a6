"""Tool calls as envs see them: JSON-schema specs in the OpenAI function format, and parsing JSON calls.

An env with tools lists them in ``info["tools"]`` (each made by `tool_spec`) and reads the agent's action,
JSON text ``{"name": "<tool>", "arguments": {...}}``, with `parse_tool_call`. Model-specific wrappings
(``<tool_call>`` blocks and the like) are the agent's job, not the env's.

>>> spec = tool_spec("add", "Adds two integers.", {"a": {"type": "integer"}, "b": {"type": "integer"}})
>>> spec["function"]["parameters"]["required"]
['a', 'b']
>>> parse_tool_call('{"name": "add", "arguments": {"a": 1, "b": 2}}', [spec])
ToolCall(name='add', arguments={'a': 1, 'b': 2})
>>> parse_tool_call('{"name": "mul", "arguments": {}}', [spec])
"Unknown tool 'mul'. Available tools: add."
>>> parse_tool_call('{"name": "add", "arguments": {"a": 1}}', [spec])
"Bad arguments for tool 'add': missing required argument 'b'."
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
CALL_FORMAT = 'a JSON object {"name": "<tool name>", "arguments": {...}}'


class ToolCall(BaseModel):
    """One parsed tool call: the tool's name and its arguments (a JSON object)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    arguments: dict[str, Any]


def tool_spec(
    name: str,
    description: str,
    properties: Mapping[str, Mapping[str, Any]],
    required: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A tool described in the OpenAI function format; every property is required unless `required` says."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {k: dict(v) for k, v in properties.items()},
                "required": list(properties if required is None else required),
                "additionalProperties": False,
            },
        },
    }


def parse_tool_call(text: str, tools: Sequence[Mapping[str, Any]] | None = None) -> ToolCall | str:
    """Parses a JSON tool call; returns a `ToolCall`, or a str saying what is wrong (never raises).

    With `tools` (specs from `tool_spec`), the name must be one of them and the arguments must match its
    parameters: required keys present, no unknown keys, JSON types right (bool is not an integer).
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError) as e:
        return f"The action is not valid JSON ({e}). Send {CALL_FORMAT}."
    try:
        call = ToolCall.model_validate(data)
    except ValidationError:
        return f"The action must be {CALL_FORMAT}; got {text.strip()[:120]!r}."
    if tools is None:
        return call
    by_name = {t["function"]["name"]: t["function"] for t in tools}
    if call.name not in by_name:
        return f"Unknown tool {call.name!r}. Available tools: {', '.join(by_name)}."
    problem = _argument_problem(call.arguments, by_name[call.name].get("parameters", {}))
    return f"Bad arguments for tool {call.name!r}: {problem}." if problem else call


def _argument_problem(arguments: Mapping[str, Any], schema: Mapping[str, Any]) -> str | None:
    properties = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in arguments:
            return f"missing required argument {key!r}"
    for key, value in arguments.items():
        if key not in properties:
            return f"unknown argument {key!r} (expected {', '.join(properties) or 'none'})"
        expected = properties[key].get("type")
        if expected in _JSON_TYPES and not _is_type(value, expected):
            return f"argument {key!r} must be of JSON type {expected}, got {type(value).__name__}"
    return None


def _is_type(value: Any, expected: str) -> bool:
    if isinstance(value, bool) and expected in ("integer", "number"):
        return False
    return isinstance(value, _JSON_TYPES[expected])
