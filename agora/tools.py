"""JSON tool calls: the one action format of agora's tool-use envs.

An agent calls a tool by replying with one JSON object ``{"name": "<tool>", "arguments": {...}}``.
`parse_tool_call` turns that text into a validated `ToolCall`, or into an error message that says
what was wrong and shows the expected format (envs return it as the observation, never raise).
`tool_spec` builds the OpenAI function spec that envs list in ``info["tools"]``.

>>> parse_tool_call('{"name": "sql", "arguments": {"query": "SELECT 1"}}')
ToolCall(name='sql', arguments={'query': 'SELECT 1'})
>>> parse_tool_call('sql(SELECT 1)')[:40]
'The reply is not JSON (Expecting value: '
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

EXPECTED_FORMAT = (
    'Reply with one JSON object: {"name": "<tool name>", "arguments": {<argument>: <value>, ...}}.'
)
_FENCE = re.compile(r"^```(?:json)?\s*(?P<body>.*?)\s*```$", re.DOTALL)


class ToolCall(BaseModel):
    """One call of a named tool with its keyword arguments."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any]


def parse_tool_call(text: str) -> ToolCall | str:
    """Parses a JSON tool call; returns the `ToolCall`, or an error message (str) saying what was wrong.

    Accepts the object alone or inside one Markdown code fence, an OpenAI ``tool_calls`` entry
    (``{"type": "function", "function": {...}}``), and ``arguments`` given as a JSON string (as
    OpenAI's API sends them). Anything else is an error, with the expected format.
    """
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
            data["arguments"] = json.loads(data["arguments"])
        except json.JSONDecodeError as e:
            return f"'arguments' is a string that is not JSON ({e}). {EXPECTED_FORMAT}"
    try:
        return ToolCall.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'call'}: {err['msg']}" for err in e.errors()
        )
        return f"Invalid tool call ({problems}). {EXPECTED_FORMAT}"


def tool_spec(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI function spec of a tool: its name, what it does, and its JSON-schema parameters."""
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }
