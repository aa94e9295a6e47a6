"""Tool calls as envs see them: JSON-schema specs in the OpenAI function format, and parsing JSON calls.

An env with tools lists them in ``info["tools"]`` (each made by `tool_spec`) and reads the agent's action,
one JSON object ``{"name": "<tool>", "arguments": {...}}``, with `parse_tool_call`, which returns a
validated `ToolCall` or an error message that says what was wrong and shows the expected format (envs
return it as the observation, never raise). Model-specific wrappings (``<tool_call>`` blocks and the like)
are the agent's job, not the env's.

>>> spec = tool_spec("add", "Adds two integers.", object_schema({"a": {"type": "integer"}, "b": {"type": "integer"}}))
>>> spec["function"]["parameters"]["required"]
['a', 'b']
>>> parse_tool_call('{"name": "add", "arguments": {"a": 1, "b": 2}}', [spec])
ToolCall(name='add', arguments={'a': 1, 'b': 2})
>>> parse_tool_call('{"name": "mul", "arguments": {}}', [spec])
"Unknown tool 'mul'. Available tools: add."
>>> parse_tool_call('{"name": "add", "arguments": {"a": 1}}', [spec])
"Bad arguments for tool 'add': missing required argument 'b'."
>>> parse_tool_call('add(1, 2)')[:34]
'The reply is not JSON (Expecting v'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

EXPECTED_FORMAT = 'Reply with one JSON object: {"name": "<tool name>", "arguments": {<argument>: <value>, ...}}.'
_FENCE = re.compile(r"^```(?:json)?\s*(?P<body>.*?)\s*```$", re.DOTALL)
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict,
    "null": type(None),
}


class ToolCall(BaseModel):
    """One call of a named tool with its keyword arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    arguments: dict[str, Any]


def object_schema(properties: Mapping[str, Mapping[str, Any]], required: Sequence[str] | None = None
                  ) -> dict[str, Any]:
    """A JSON-schema object of `properties`; all are required unless `required` names some."""
    return {"type": "object", "properties": {k: dict(v) for k, v in properties.items()},
            "required": list(properties if required is None else required), "additionalProperties": False}


def tool_spec(name: str, description: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAI function spec of a tool: its name, what it does, and its JSON-schema parameters."""
    return {"type": "function", "function": {"name": name, "description": description, "parameters": dict(parameters)}}


def parse_tool_call(text: str, tools: Sequence[Mapping[str, Any]] | None = None) -> ToolCall | str:
    """Parses a JSON tool call; returns the `ToolCall`, or an error message (str) saying what was wrong.

    Accepts the object alone or inside one Markdown code fence, an OpenAI ``tool_calls`` entry
    (``{"type": "function", "function": {...}}``), and ``arguments`` given as a JSON string (as
    OpenAI's API sends them). With `tools` (specs from `tool_spec`), the name must be one of them and
    the arguments must fit its parameters (`argument_errors`).
    """
    call = _parse(text)
    if isinstance(call, str) or tools is None:
        return call
    by_name = {t["function"]["name"]: t["function"] for t in tools}
    if call.name not in by_name:
        return f"Unknown tool {call.name!r}. Available tools: {', '.join(by_name)}."
    errors = argument_errors(call.arguments, by_name[call.name].get("parameters", {}))
    return f"Bad arguments for tool {call.name!r}: {'; '.join(errors)}." if errors else call


def _parse(text: str) -> ToolCall | str:
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced["body"]
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        return f"The reply is not JSON ({e}). {EXPECTED_FORMAT}"
    if not isinstance(data, dict):
        return f"The reply is JSON but not an object (got {type(data).__name__}). {EXPECTED_FORMAT}"
    if isinstance(data.get("function"), dict) and data.get("type", "function") == "function":
        data = data["function"]  # an OpenAI tool_calls entry: {"type": "function", "function": {...}}
    if isinstance(data.get("arguments"), str):
        try:
            data = {**data, "arguments": json.loads(data["arguments"])}
        except json.JSONDecodeError as e:
            return f"'arguments' is a string that is not JSON ({e}). {EXPECTED_FORMAT}"
    try:
        return ToolCall.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'call'}: {err['msg']}" for err in e.errors())
        return f"Invalid tool call ({problems}). {EXPECTED_FORMAT}"


def argument_errors(arguments: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with `arguments` for the JSON-schema object `schema`: required, unknown keys, types."""
    properties = schema.get("properties", {})
    errors = [f"missing required argument {key!r}" for key in schema.get("required", []) if key not in arguments]
    for key, value in arguments.items():
        if key not in properties:
            if schema.get("additionalProperties", True) is False:
                errors.append(f"unknown argument {key!r} (expected {', '.join(properties) or 'none'})")
            continue
        expected = properties[key].get("type")
        kinds = [expected] if isinstance(expected, str) else list(expected or [])
        if kinds and not any(_is_json_type(value, k) for k in kinds):
            errors.append(f"argument {key!r} must be {' or '.join(kinds)}, got {json.dumps(value)[:40]}")
    return errors


def _is_json_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False  # JSON true/false is not a number
    return isinstance(value, _JSON_TYPES.get(kind, object))
