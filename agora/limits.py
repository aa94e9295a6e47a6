r"""Bounds on untrusted text: action guards, observation caps, ASCII integers and the bracketed move.

A policy under RL emits anything, so every parser in agora reads a reply through these helpers first:

* `action_problem` rejects an action that is longer than the action space allows or is not valid
  Unicode text (a lone surrogate such as ``"\udcff"`` cannot be encoded, sent or tokenised). Envs turn
  the message into their error observation and invalid-action reward; nothing raises.
* `cap_text` cuts an observation (or a tool's result) to a documented size and says that it did.
* `parse_int` reads ASCII digits only (``"²".isdigit()`` is True, ``int("9" * 5000)`` raises) with a digit
  limit; `find_bracketed_move` finds the last ``[...]`` token, the move format of games and drills, with
  `MOVE_PATTERN`, the one definition of that format (agents use it too).

>>> cap_text("x" * 100, 60)
'xxxxxxxxxxxx\n[... cut: 88 more characters; the limit is 60]'
>>> parse_int("42"), parse_int("²"), parse_int("9" * 40), parse_int("-3", allow_sign=True)
(42, None, None, -3)
>>> find_bracketed_move("I take the centre: [4]. Or rather [ B2 ]")
'b2'
>>> action_problem("\udcff", 100)
'the reply is not valid Unicode text (a lone surrogate at position 0)'
"""

from __future__ import annotations

import re

MAX_OBSERVATION_CHARS = 1 << 16
"""Default cap on an observation (the `TextSpace` default max_length): 65,536 characters."""
MAX_TOOL_RESULT_CHARS = 16_000
"""Default cap on one tool result inside an observation, so a long answer leaves room for the rest."""
MAX_MOVE_CHARS = 200
"""A bracketed token longer than this is not a move (no game's move is that long)."""
MAX_INT_DIGITS = 18

MOVE_PATTERN = re.compile(rf"\[([^\[\]]{{0,{MAX_MOVE_CHARS}}})\]")
"""The bracketed move format of games, drills and agents: ``[4]``, ``[bid: 3 5]``, ``[call]``."""
_ASCII_INT = re.compile(r"[+-]?[0-9]+")


def action_problem(action: str, max_length: int) -> str | None:
    """Why `action` cannot be read as a reply (too long, not valid Unicode), or None when it can."""
    if len(action) > max_length:
        return f"the reply has {len(action)} characters; the most accepted is {max_length}"
    if action.isascii():
        return None
    try:
        action.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"the reply is not valid Unicode text (a lone surrogate at position {e.start})"
    return None


def cap_text(text: str, max_chars: int = MAX_OBSERVATION_CHARS) -> str:
    """`text` if it fits in `max_chars`, else its start plus a note saying how much was cut (within the cap)."""
    if len(text) <= max_chars:
        return text
    longest_note = f"\n[... cut: {len(text)} more characters; the limit is {max_chars}]"
    keep = max(max_chars - len(longest_note), 0)
    note = f"\n[... cut: {len(text) - keep} more characters; the limit is {max_chars}]"
    return (text[:keep] + note)[:max_chars]


def parse_int(token: str, *, max_digits: int = MAX_INT_DIGITS, allow_sign: bool = False) -> int | None:
    """The integer written in ASCII digits in `token` (stripped), or None (other digits, too long, a sign)."""
    token = token.strip()
    if not token or len(token) > max_digits + 1 or not _ASCII_INT.fullmatch(token):
        return None
    if token[0] in "+-" and not allow_sign:
        return None
    if len(token.lstrip("+-")) > max_digits:
        return None
    return int(token)


def find_bracketed_move(text: str) -> str | None:
    """The content of the last ``[...]`` token in `text` (`MOVE_PATTERN`), stripped and lower-cased, or None."""
    if 2 <= len(text) <= MAX_MOVE_CHARS + 2 and text[0] == "[" and text[-1] == "]":  # the common reply: one token
        inner = text[1:-1]
        if "[" not in inner and "]" not in inner:
            return inner.strip().lower()
    found = None
    for match in MOVE_PATTERN.finditer(text):
        found = match
    return found.group(1).strip().lower() if found else None


def bracketed_moves(text: str) -> list[str]:
    """The contents of every ``[...]`` token in `text`, in order, as written (not stripped)."""
    return MOVE_PATTERN.findall(text)


def is_bracketed_move(text: str) -> bool:
    """True when `text` (stripped) is exactly one bracketed move, like the entries of ``legal_actions``."""
    return MOVE_PATTERN.fullmatch(text.strip()) is not None
