"""The desktop's actions as xdotool command lines (the grammar itself is `agora.envs.web.actions`, mode "desktop").

`to_xdotool` checks what the grammar cannot (coordinates on the screen, key names, text that can be typed)
and raises `ActionError` with the reason, so a malformed action never reaches the X server.
"""

from __future__ import annotations

import re
import shlex

from agora.envs.web.actions import Action, ActionError

MAX_TYPE_CHARS = 1000
MAX_CHORDS = 16
TYPE_DELAY_MS = 4
SCROLL_STEP_PX = 50
MAX_SCROLL_CLICKS = 20
KEY_ALIASES = {
    "enter": "Return",
    "return": "Return",
    "esc": "Escape",
    "escape": "Escape",
    "backspace": "BackSpace",
    "del": "Delete",
    "delete": "Delete",
    "tab": "Tab",
    "space": "space",
    "pageup": "Prior",
    "pagedown": "Next",
    "arrowup": "Up",
    "arrowdown": "Down",
    "arrowleft": "Left",
    "arrowright": "Right",
    "control": "ctrl",
    "cmd": "super",
    "meta": "super",
    "win": "super",
}
_KEY_PART = re.compile(r"[A-Za-z0-9_]{1,24}")
_LINE_BREAKS = re.compile(r"(\n|\t)")
_BREAK_KEYS = {"\n": "Return", "\t": "Tab"}
_UNTYPABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def to_xdotool(action: Action, width: int, height: int) -> list[str]:
    """The arguments of the ``xdotool`` calls performing `action` (not answer or wait), in order."""
    if action.name == "type":
        return _type_calls(_typable(action.args["text"]))
    return [_one_call(action, width, height)]


def _type_calls(text: str) -> list[str]:
    """Typed runs with ``key Return`` / ``key Tab`` calls between them for newlines and tabs.

    ``xdotool type`` takes the rest of its command line as text, and types a newline as a key GTK ignores.
    """
    calls = []
    for part in _LINE_BREAKS.split(text):
        if part in _BREAK_KEYS:
            calls.append(f"key {_BREAK_KEYS[part]}")
        elif part:
            calls.append(f"type --delay {TYPE_DELAY_MS} -- {shlex.quote(part)}")
    return calls


def _one_call(action: Action, width: int, height: int) -> str:
    args = action.args
    for x, y in (("x", "y"), ("x1", "y1"), ("x2", "y2")):
        if x in args and not (0 <= args[x] < width and 0 <= args[y] < height):
            raise ActionError(f"{action.name}: ({args[x]}, {args[y]}) is outside the {width}x{height} screen")
    name = action.name
    if name == "click":
        return f"mousemove {args['x']} {args['y']} click --delay 0 1"
    if name == "double_click":
        return f"mousemove {args['x']} {args['y']} click --repeat 2 --delay 60 1"
    if name == "right_click":
        return f"mousemove {args['x']} {args['y']} click --delay 0 3"
    if name == "drag":
        mid = ((args["x1"] + args["x2"]) // 2, (args["y1"] + args["y2"]) // 2)
        return (
            f"mousemove {args['x1']} {args['y1']} mousedown 1 sleep 0.05 mousemove {mid[0]} {mid[1]} sleep 0.05"
            f" mousemove {args['x2']} {args['y2']} sleep 0.05 mouseup 1"
        )
    if name == "scroll":
        clicks = min(MAX_SCROLL_CLICKS, max(1, round(abs(args["dy"]) / SCROLL_STEP_PX)))
        button = 5 if args["dy"] > 0 else 4
        return f"mousemove {args['x']} {args['y']} click --repeat {clicks} --delay 10 {button}"
    if name == "key":
        return "key --delay 20 -- " + " ".join(_chord(c) for c in _chords(args["keys"]))
    raise ActionError(f"{name} is not a desktop input action")


def _typable(text: str) -> str:
    if not text:
        raise ActionError('type: the text is empty; write type("something")')
    if len(text) > MAX_TYPE_CHARS:
        raise ActionError(f"type: {len(text)} characters; at most {MAX_TYPE_CHARS} per action")
    bad = _UNTYPABLE.search(text)
    if bad:
        raise ActionError(f"type: {bad.group()!r} cannot be typed (use key() for control keys)")
    return text


def _chords(keys: str) -> list[str]:
    chords = keys.split()
    if not chords:
        raise ActionError('key: no key given; write key("Enter") or key("ctrl+s")')
    if len(chords) > MAX_CHORDS:
        raise ActionError(f"key: {len(chords)} key presses; at most {MAX_CHORDS} per action")
    return chords


def _chord(chord: str) -> str:
    parts = chord.split("+")
    if len(parts) > 5 or not all(_KEY_PART.fullmatch(p) for p in parts):
        raise ActionError(f"key: {chord[:40]!r} is not a key or chord such as Enter, ctrl+s or shift+Tab")
    return "+".join(KEY_ALIASES.get(p.lower(), p) for p in parts)
