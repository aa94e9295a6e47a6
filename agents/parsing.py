"""Turning a model's reply into an action: reasoning stripped, game moves and tool calls found.

`extract_action(text, info)` picks a mode from the env's `info`:

* **tools** (``info["tools"]`` is set): tool calls in any of the common formats become the action
  as JSON text ``{"name": ..., "arguments": {...}}`` (a list of them for several calls), which envs
  with tools accept. Formats: ``<tool_call>{json}</tool_call>`` blocks (Qwen, Hermes), a bare JSON
  object with a ``name`` (alone or in a fenced block), and OpenAI ``tool_calls`` (see
  `from_openai_tool_calls`). A reply without a call is a plain text answer (valid). A call whose
  JSON cannot be parsed is a malformed action.
* **move** (``info["legal_actions"]`` are bracketed, e.g. ``[4]``): the last ``[...]`` token is the
  move; a reply without one is a malformed action.
* **text** otherwise: the reply without its reasoning.

Reasoning (``<think>...</think>``) is removed from the action only; the recorded tokens keep it.
A malformed action is passed on as the reply text with ``valid=False``: the env answers it with
its error observation and invalid-action reward, like any other bad move.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from agora.limits import bracketed_moves, is_bracketed_move
from agora.tools import ToolCallError, decode_json, fence_bodies, strip_json_tag, tool_call_from

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL)
_TOOL_BLOCK = re.compile(r"<tool_call>(.*?)(</tool_call>|$)", re.DOTALL)


@dataclasses.dataclass
class ParsedAction:
    """An action found in a reply, or why none could be."""

    action: str
    valid: bool = True
    error: str | None = None
    tool_calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    reasoning: str = ""


def strip_reasoning(text: str) -> tuple[str, str]:
    """Splits `text` into (reasoning, answer). Handles a missing opening tag (template-opened think)."""
    reasoning = [m.group(0) for m in _THINK.finditer(text)]
    answer = _THINK.sub("", text)
    if "</think>" in answer:  # the template opened <think> in the prompt: all before </think> is reasoning
        before, _, answer = answer.rpartition("</think>")
        reasoning.insert(0, before + "</think>")
    return "".join(reasoning), answer.strip()


def _tool_call(obj: Any) -> dict[str, Any] | None:
    """One call object as ``{"name", "arguments"}`` (`agora.tools.tool_call_from`, lenient), or None without a name.

    Raises `ToolCallError` (a ValueError) when it names a tool but its arguments are not an object.
    """
    if not isinstance(obj, Mapping):
        return None
    inner = obj.get("function") if isinstance(obj.get("function"), Mapping) else obj
    if not isinstance(inner.get("name"), str) or not inner["name"]:
        return None
    call = tool_call_from(dict(obj), lenient=True)
    return {"name": call.name, "arguments": dict(call.arguments)}


def from_openai_tool_calls(tool_calls: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI ``message.tool_calls`` (``arguments`` as a JSON string) -> ``[{"name", "arguments"}]``."""
    calls = [_tool_call(c) for c in tool_calls]
    return [c for c in calls if c is not None]


def parse_tool_calls(text: str) -> list[dict[str, Any]]:
    """Tool calls in `text` (``<tool_call>`` blocks, or one bare/fenced JSON object); raises on bad JSON.

    Every JSON text goes through `agora.tools.decode_json`, the one bounded decoder (length, depth,
    digits, valid Unicode), so a hostile reply is a `ValueError` here, never a `RecursionError`.
    """
    blocks = [m.group(1).strip() for m in _TOOL_BLOCK.finditer(text)]
    if blocks:
        calls = []
        for block in blocks:
            try:
                call = _tool_call(decode_json(block))
            except ToolCallError as e:
                raise ValueError(f"<tool_call> block: {e} {block[:120]!r}") from None
            if call is None:
                raise ValueError(f'<tool_call> block needs {{"name": ..., "arguments": {{...}}}}: {block[:120]!r}')
            calls.append(call)
        return calls
    for candidate in [*fence_bodies(text), strip_json_tag(text)]:
        if candidate.startswith(("{", "[")):
            try:
                obj = decode_json(candidate)
            except ToolCallError:
                continue
            objs = obj if isinstance(obj, list) else [obj]
            calls = [_tool_call(o) for o in objs]  # a named call with bad arguments raises
            if calls and all(c is not None for c in calls):
                return calls
    return []


def tool_action(calls: Sequence[Mapping[str, Any]]) -> str:
    """The action text for tool calls: one JSON object, or a JSON list for several."""
    payload = [dict(c) for c in calls]
    return json.dumps(payload[0] if len(payload) == 1 else payload)


def action_mode(info: Mapping[str, Any]) -> str:
    """``"tools"``, ``"move"`` or ``"text"``, from what the env's `info` offers."""
    if info.get("tools"):
        return "tools"
    legal = info.get("legal_actions") or []
    if legal and all(isinstance(a, str) and is_bracketed_move(a) for a in legal):
        return "move"
    return "text"


def extract_action(
    text: str,
    info: Mapping[str, Any],
    *,
    mode: str | None = None,
    tool_calls: Sequence[Mapping[str, Any]] | None = None,
) -> ParsedAction:
    """The action in a model reply (see the module docs); `tool_calls` are native OpenAI calls."""
    reasoning, answer = strip_reasoning(text)
    mode = mode or action_mode(info)
    if mode == "tools":
        try:
            calls = from_openai_tool_calls(tool_calls) if tool_calls else parse_tool_calls(answer)
        except (ValueError, json.JSONDecodeError) as e:
            return ParsedAction(answer or text, False, f"malformed tool call: {e}", reasoning=reasoning)
        if calls:
            return ParsedAction(tool_action(calls), tool_calls=calls, reasoning=reasoning)
        return ParsedAction(answer, reasoning=reasoning)
    if mode == "move":
        moves = bracketed_moves(answer)
        if not moves:
            return ParsedAction(
                answer or text, False, "no bracketed move such as [4] in the reply", reasoning=reasoning
            )
        return ParsedAction(f"[{moves[-1].strip()}]", reasoning=reasoning)
    if not answer:
        return ParsedAction(text, False, "the reply has no answer outside its reasoning", reasoning=reasoning)
    return ParsedAction(answer, reasoning=reasoning)
