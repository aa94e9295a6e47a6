"""Browser actions: their specs, the one-line text grammar, and JSON tool calls.

An action is one line such as ``click(12)`` or ``type(7, "blue mug")`` (arguments are Python-style
literals), or the same call as JSON: ``{"name": "type", "arguments": {"id": 7, "text": "blue mug"}}``.
Text mode (web agents), pixel mode (GUI agents) and desktop mode (``desktop/``) have different action sets;
`ACTION_SETS` holds them, and `tool_specs` turns one into OpenAI-format function specs for ``info["tools"]``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from agora.limits import parse_int
from agora.tools import ToolCallError, decode_json, tool_call_from

MAX_ACTION_CHARS = 20_000
"""The longest action read (a ``type`` of a long text fits); longer ones are malformed."""
MAX_ARGS = 8
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,40})\s*\((.*)\)", re.DOTALL)
_ARG = re.compile(
    r"""\s*(?:
        (?P<float>[+-]?(?:[0-9]{1,12}\.[0-9]{0,12}|\.[0-9]{1,12}))
        | (?P<int>[+-]?[0-9]{1,12})
        | (?P<const>True|False|None)
        | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    )\s*(?:,|$)""",
    re.DOTALL | re.VERBOSE,
)


@dataclass(frozen=True)
class Param:
    """One argument of an action: its name, JSON type ("integer", "string") and meaning."""

    name: str
    type: str
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionSpec:
    """An action the agent may take: name, parameters and what it does."""

    name: str
    description: str
    params: tuple[Param, ...] = ()

    def signature(self) -> str:
        """How the action is written, e.g. ``type(id, "text")``."""
        args = ", ".join(f'"{p.name}"' if p.type == "string" else p.name for p in self.params)
        return f"{self.name}({args})"


@dataclass(frozen=True)
class Action:
    """A parsed action: its name and arguments by parameter name."""

    name: str
    args: dict[str, Any]


class ActionError(ValueError):
    """The action text could not be parsed or does not fit the action's spec."""


_ID = Param("id", "integer", "the element id shown in brackets, e.g. 12 for [12]")
_X, _Y = Param("x", "integer", "pixels from the left edge"), Param("y", "integer", "pixels from the top edge")
TEXT_ACTIONS = (
    ActionSpec("click", "Click the element with this id.", (_ID,)),
    ActionSpec(
        "type",
        "Replace the text in a text field with `text`.",
        (_ID, Param("text", "string", "what to type")),
    ),
    ActionSpec(
        "select",
        "Choose the option with this label in a drop-down list.",
        (_ID, Param("option", "string", "the option's label")),
    ),
    ActionSpec(
        "press",
        "Press a key (Enter, Tab, Escape, Backspace, ArrowDown, ...) on the focused element.",
        (Param("key", "string", "the key name"),),
    ),
    ActionSpec(
        "scroll",
        "Scroll the page.",
        (Param("direction", "string", "where to", ("up", "down", "left", "right")),),
    ),
    ActionSpec(
        "goto",
        "Open a URL of this site (e.g. /cart).",
        (Param("url", "string", "a path or URL of the site"),),
    ),
    ActionSpec("answer", "Give the final answer to a question task.", (Param("text", "string", "the answer"),)),
    ActionSpec("noop", "Do nothing (let time pass)."),
)
PIXEL_ACTIONS = (
    ActionSpec("click", "Left-click at a point of the screenshot.", (_X, _Y)),
    ActionSpec("double_click", "Double-click at a point.", (_X, _Y)),
    ActionSpec(
        "drag",
        "Press at (x1, y1), move to (x2, y2), release.",
        (
            Param("x1", "integer", "start x"),
            Param("y1", "integer", "start y"),
            Param("x2", "integer", "end x"),
            Param("y2", "integer", "end y"),
        ),
    ),
    ActionSpec(
        "type",
        "Type text with the keyboard into whatever has focus.",
        (Param("text", "string", "what to type"),),
    ),
    ActionSpec(
        "key",
        "Press a key or chord, e.g. Enter, ctrl+a, shift+Tab.",
        (Param("keys", "string", "the key(s)"),),
    ),
    ActionSpec(
        "scroll",
        "Scroll by dy pixels (positive: down) with the mouse at (x, y).",
        (_X, _Y, Param("dy", "integer", "pixels to scroll")),
    ),
    ActionSpec("answer", "Give the final answer to a question task.", (Param("text", "string", "the answer"),)),
    ActionSpec("noop", "Do nothing (let time pass)."),
)
_PIXEL = {a.name: a for a in PIXEL_ACTIONS}
DESKTOP_ACTIONS = (
    _PIXEL["click"],
    _PIXEL["double_click"],
    ActionSpec("right_click", "Right-click at a point (opens context menus).", (_X, _Y)),
    _PIXEL["drag"],
    _PIXEL["scroll"],
    _PIXEL["type"],
    _PIXEL["key"],
    ActionSpec("wait", "Do nothing for a second (let an application start or finish)."),
    ActionSpec(
        "answer",
        'End the episode: the answer to a question task, or "" when the task was a change you have made.',
        (Param("text", "string", "the answer, or an empty string"),),
    ),
)
"""Pixel actions on a whole desktop (``desktop/``): the pixel set plus right-click and wait."""
ACTION_SETS = {
    "text": {a.name: a for a in TEXT_ACTIONS},
    "pixel": _PIXEL,
    "desktop": {a.name: a for a in DESKTOP_ACTIONS},
}


def tool_specs(mode: str) -> list[dict[str, Any]]:
    """OpenAI-format function specs of the actions of `mode` ("text", "pixel" or "desktop")."""
    return [_tool_spec(a) for a in ACTION_SETS[mode].values()]


def _tool_spec(spec: ActionSpec) -> dict[str, Any]:
    props = {}
    for p in spec.params:
        props[p.name] = {"type": p.type, "description": p.description}
        if p.choices:
            props[p.name]["enum"] = list(p.choices)
    return {
        "type": "function",
        "function": {
            "name": spec.name,
            "description": spec.description,
            "parameters": {
                "type": "object",
                "properties": props,
                "required": [p.name for p in spec.params],
                "additionalProperties": False,
            },
        },
    }


def action_help(mode: str) -> str:
    """One line per action of `mode`, for the instructions."""
    return "\n".join(f"  {a.signature():<28} {a.description}" for a in ACTION_SETS[mode].values())


def parse_action(text: str, mode: str) -> Action:
    """Parses a one-line call or a JSON tool call into an `Action`; raises `ActionError` when malformed."""
    text = text.strip()
    if not text:
        raise ActionError("empty action; write one call such as click(3)")
    if len(text) > MAX_ACTION_CHARS:
        raise ActionError(f"the action has {len(text)} characters; at most {MAX_ACTION_CHARS} are read")
    if text.startswith("{"):
        name, args = _from_json(text)
        return _bind_keywords(_spec(name, mode), args)
    name, values = _from_call(text)
    return _bind_positional(_spec(name, mode), values)


def _spec(name: str, mode: str) -> ActionSpec:
    actions = ACTION_SETS[mode]
    if name not in actions:
        raise ActionError(f"unknown action {name!r}; use one of: {', '.join(actions)}")
    return actions[name]


def _from_json(text: str) -> tuple[str, dict[str, Any]]:
    """A JSON tool call read by agora's one bounded tool-call parser (missing arguments are ``{}``)."""
    try:
        data = decode_json(text)
    except ToolCallError as e:
        raise ActionError(f"invalid JSON tool call: {e}") from None
    try:
        call = tool_call_from(data, lenient=True)
    except ToolCallError as e:
        example = '{"name": "click", "arguments": {"id": 3}}'
        raise ActionError(f"{e} A JSON tool call must look like {example}") from None
    return call.name, dict(call.arguments)


def _from_call(text: str) -> tuple[str, list[Any]]:
    """``name(arg, ...)`` with integer or quoted-string arguments, read without Python's recursive parser."""
    call = _CALL.fullmatch(text)
    if call is None:
        raise ActionError(f'{text[:80]!r} is not a call like click(3) or type(3, "hello") (positional arguments only)')
    values, args, pos = [], call[2].strip(), 0
    while pos < len(args) and len(values) <= MAX_ARGS:
        arg = _ARG.match(args, pos)
        if arg is None:
            raise ActionError(
                f"arguments must be literal numbers or quoted strings, positional only: {args[pos : pos + 40]!r}"
            )
        values.append(_literal(arg))
        pos = arg.end()
    return call[1], values


def _literal(arg: re.Match) -> Any:
    if arg["int"] is not None:
        return parse_int(arg["int"], max_digits=12, allow_sign=True)
    if arg["float"] is not None:
        return float(arg["float"])
    if arg["const"] is not None:
        return {"True": True, "False": False, "None": None}[arg["const"]]
    try:
        value = ast.literal_eval(arg["str"])  # one string literal: no nesting, no recursion
        value.encode("utf-8")  # an escaped lone surrogate ("\\udcff") is no text a browser can type
    except (SyntaxError, ValueError) as e:  # UnicodeEncodeError is a ValueError
        raise ActionError(f"cannot read the string {arg['str'][:40]!r}: {e}") from None
    return value


def _bind_positional(spec: ActionSpec, values: list[Any]) -> Action:
    if len(values) != len(spec.params):
        raise ActionError(f"{spec.name} takes {len(spec.params)} argument(s): {spec.signature()}")
    return _bind_keywords(spec, {p.name: v for p, v in zip(spec.params, values, strict=True)})


def _bind_keywords(spec: ActionSpec, args: dict[str, Any]) -> Action:
    expected = {p.name for p in spec.params}
    if set(args) != expected:
        raise ActionError(f"{spec.name} needs arguments {sorted(expected)}, got {sorted(args)}: {spec.signature()}")
    for p in spec.params:
        value = args[p.name]
        if p.type == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ActionError(f"{spec.name}: {p.name} must be an integer, got {value!r:.40}")
        if p.type == "string" and not isinstance(value, str):
            raise ActionError(f"{spec.name}: {p.name} must be a quoted string, got {value!r:.40}")
        if p.choices and value not in p.choices:
            raise ActionError(f"{spec.name}: {p.name} must be one of {', '.join(p.choices)}, got {value!r:.40}")
    return Action(spec.name, dict(args))
