"""Tool calls as envs see them: JSON-schema specs in the OpenAI function format, and parsing JSON calls.

An env with tools lists them in ``info["tools"]`` (each made by `tool_spec`) and reads the agent's action,
one JSON object ``{"name": "<tool>", "arguments": {...}}``, with `parse_tool_call`, which returns a
validated `ToolCall` or an error message that says what was wrong and shows the expected format (envs
return it as the observation, never raise). Model-specific wrappings (``<tool_call>`` blocks and the like)
are the agent's job, not the env's.

Examples:
    >>> integer = {"type": "integer"}
    >>> spec = tool_spec("add", "Adds two integers.", object_schema({"a": integer, "b": integer}))
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

MAX_CALL_CHARS = 100_000
"""The longest tool-call text read; longer replies are rejected before parsing."""
MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects accepted in a call (JSON parsers recurse)."""
MAX_INT_DIGITS = 30
"""The most digits of a JSON integer (Python refuses over 4,300 and big ones are never a real argument)."""
EXPECTED_FORMAT = 'Reply with one JSON object: {"name": "<tool name>", "arguments": {<argument>: <value>, ...}}.'
_BRACKETS = re.compile(r"[\[\]{}]")
_FENCE = re.compile(r"```(?:json)?(.*?)```", re.DOTALL)
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


class ToolCall(BaseModel):
    """One call of a named tool with its keyword arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    arguments: dict[str, Any]


def object_schema(properties: Mapping[str, Mapping[str, Any]], required: Sequence[str] | None = None) -> dict[str, Any]:
    """A JSON-schema object of `properties`; all are required unless `required` names some."""
    return {
        "type": "object",
        "properties": {k: dict(v) for k, v in properties.items()},
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }


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
    try:
        body = unfence(text.strip())
        return tool_call_from(decode_json(body))
    except ToolCallError as e:
        return f"{e} {EXPECTED_FORMAT}"


def unfence(text: str) -> str:
    """The body of `text` when it is one Markdown code fence (```json ... ```), else `text` itself."""
    if len(text) >= 6 and text.startswith("```") and text.endswith("```"):
        return strip_json_tag(text[3:-3])
    return text


def fence_bodies(text: str) -> list[str]:
    """The bodies of the Markdown code fences in `text`, in order, each without its ``json`` tag."""
    return [strip_json_tag(m.group(1)) for m in _FENCE.finditer(text)]


def strip_json_tag(body: str) -> str:
    """`body` stripped, without a leading ``json`` language tag (what follows a fence's backticks)."""
    body = body.strip()
    return body[4:].strip() if body.startswith("json") else body


class ToolCallError(ValueError):
    """A tool call that cannot be read; the message says why (the expected format is added by callers)."""


def decode_json(text: str, *, max_chars: int = MAX_CALL_CHARS, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decodes untrusted JSON with bounds: length, nesting depth, integer digits, valid Unicode strings.

    Raises `ToolCallError` saying which bound or which JSON rule the text broke; never `RecursionError`.
    """
    if len(text) > max_chars:
        raise ToolCallError(f"The reply is {len(text)} characters long; a tool call may have at most {max_chars}.")
    depth = _nesting_depth(text)
    if depth > max_depth:
        raise ToolCallError(f"The reply nests JSON {depth} levels deep; the most accepted is {max_depth}.")
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except ValueError as e:  # JSONDecodeError and the bounds above
        raise ToolCallError(f"The reply is not JSON ({e}).") from None
    bad = _first_bad_string(data)
    if bad is not None:
        raise ToolCallError(f"The reply has a string that is not valid Unicode text ({bad!r:.40}).")
    return data


def tool_call_from(data: Any, *, lenient: bool = False) -> ToolCall:
    """The `ToolCall` in decoded JSON: ``{"name", "arguments"}`` or an OpenAI ``tool_calls`` entry.

    ``arguments`` may be a JSON string (OpenAI's API sends them so). Strict (envs): exactly those keys.
    `lenient` (agents reading model text): other keys are ignored, ``parameters`` stands for
    ``arguments``, and missing or empty arguments are ``{}``. Raises `ToolCallError` saying what is wrong.
    """
    if not isinstance(data, dict):
        raise ToolCallError(f"The reply is JSON but not an object (got {type(data).__name__}).")
    if isinstance(data.get("function"), dict) and data.get("type", "function") == "function":
        data = data["function"]  # an OpenAI tool_calls entry: {"type": "function", "function": {...}}
    if lenient:
        arguments = data.get("arguments", data.get("parameters", {}))
        data = {"name": data.get("name"), "arguments": {} if arguments in ("", None) else arguments}
    if isinstance(data.get("arguments"), str):
        try:
            data = {**data, "arguments": decode_json(data["arguments"])}
        except ToolCallError as e:
            raise ToolCallError(f"'arguments' is a string that is not JSON ({e})") from None
    try:
        return ToolCall.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'call'}: {err['msg']}" for err in e.errors())
        raise ToolCallError(f"Invalid tool call ({problems}).") from None


def _nesting_depth(text: str) -> int:
    """The deepest nesting of JSON arrays and objects in `text` (brackets inside strings not counted)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text) if '"' in text else text):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer with {len(digits)} digits; the most accepted is {MAX_INT_DIGITS}")
    return int(digits)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _first_bad_string(data: Any) -> str | None:
    """The first string (key or value) in decoded JSON that is not valid Unicode (a lone surrogate), or None."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item
    return None


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
