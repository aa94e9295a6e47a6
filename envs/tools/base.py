"""`ToolEnv`: the shared shape of agora's tool-use envs.

Every tool env lists its tools as OpenAI function specs in ``info["tools"]`` (at reset and at every
step). The agent acts by replying with one JSON tool call, ``{"name": ..., "arguments": {...}}``
(see `agora.tools`); the tool's result is the next observation. A final ``answer`` tool ends the
episode and is scored by the env.

A reply that is not a valid call, names an unknown tool, or gives arguments that do not fit the
tool's schema earns ``invalid_action_reward`` (-0.1 by default, set per env) and an observation
that says what was wrong; the episode goes on. A tool that runs but fails (an SQL error, a missing
document) returns its error as the observation with ``info["error"]`` and reward 0. A result longer
than ``max_tool_result_chars`` (16,000 by default) is cut to it, with a note that says so; calls are
read by `agora.tools.parse_tool_call`, which bounds their length, nesting and numbers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from agora.core import TextEnv
from agora.limits import MAX_TOOL_RESULT_CHARS, cap_text
from agora.tools import ToolCall, parse_tool_call, tool_spec

ToolResult = tuple[str, float, bool, dict[str, Any]]


def answer_spec(description: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The spec of the final ``answer`` tool (one string ``answer`` unless `parameters` says else)."""
    parameters = parameters or {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    return tool_spec("answer", description, parameters)


def option_index(options: dict[str, Any], key: str, count: int, np_random: Any) -> int:
    """``options[key]`` checked to lie in ``range(count)``, or an index drawn with the env's RNG."""
    if key not in options:
        return int(np_random.integers(count))
    index = options[key]
    if not isinstance(index, int) or not 0 <= index < count:
        raise ValueError(f"options[{key!r}] must be an int in 0..{count - 1}, got {index!r}")
    return index


class ToolEnv(TextEnv):
    """Base of tool-use envs: parses and validates JSON tool calls, then dispatches to `_call_tool`.

    Subclasses implement `_reset(options)` (which must call `self._set_tools(specs)`) and
    `_call_tool(call) -> (observation, reward, terminated, info)`; they need not re-check the call's
    name or arguments against the specs.
    """

    invalid_action_reward: ClassVar[float] = -0.1
    max_tool_result_chars: ClassVar[int] = MAX_TOOL_RESULT_CHARS
    """A tool's result longer than this is cut, with a note saying so (`agora.limits.cap_text`)."""

    def __init__(self, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        self._tools: list[dict[str, Any]] = []

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The current episode's tool specs (OpenAI function format)."""
        return [dict(t) for t in self._tools]

    def _set_tools(self, specs: list[dict[str, Any]]) -> None:
        self._tools = list(specs)

    def _info(self, **extra: Any) -> dict[str, Any]:
        return {"tools": self.tools, **extra}

    def _step(self, action: str) -> ToolResult:
        call = parse_tool_call(action, self._tools)
        if isinstance(call, str):
            return self.invalid(call, self._info())
        observation, reward, terminated, info = self._call_tool(call)
        return cap_text(observation, self.max_tool_result_chars), reward, terminated, {**self._info(), **info}

    def tool_failed(self, error: str) -> ToolResult:
        """The result of a valid call whose tool failed: the error as observation, reward 0, go on."""
        return f"Error: {error}", 0.0, False, {"error": error}

    def _call_tool(self, call: ToolCall) -> ToolResult:
        raise NotImplementedError
