"""What the grid puzzles share: the move format, text and pixel observation modes, and the step loop.

A subclass implements `_new_level(rng, options)` (draw a level, or take the one ``reset``'s options
give; return the intro text and info extras), `_move(direction)` (play one move: reward, whether the
episode is over, a note), `_board()` (the grid as text, also the ``state_key``), `_image()` (the grid as
pixels) and `_image_shape()`.

**Moves.** The reply's answer (the text inside its last ``<answer>...</answer>``, or the whole reply) is
one to ``actions_per_turn`` of ``Up``, ``Down``, ``Left``, ``Right`` (any case; ``U``/``D``/``L``/``R``;
brackets and commas are ignored), e.g. ``<answer>Left</answer>`` or ``<answer>Up, Up, Left</answer>``.
Anything else is invalid: an error observation, ``info["error"]`` and ``invalid_action_reward``; the
board does not change.

**Modes.** ``mode="text"``: the observation is text with the grid drawn in characters.
``mode="pixel"``: ``{"text": feedback without the grid, "image": uint8 HxWx3}``, the GUI family's shape.
"""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agora.core import TextEnv
from agora.spaces import TextSpace

MODES = ("text", "pixel")
DIRECTIONS = ("Up", "Down", "Left", "Right")
MAX_ANSWER_CHARS = 200
"""A reply's answer longer than this is not a move list (ten moves fit in well under 100 characters)."""
_NAMES = {name.lower(): name for name in DIRECTIONS} | {name[0].lower(): name for name in DIRECTIONS}
_SEPARATORS = re.compile(r"[\s,;|]+")
ANSWER_FORMAT = "Answer with a move inside <answer></answer> tags, e.g. <answer>Left</answer>."


def answer_text(reply: str) -> str:
    """The text of the last ``<answer>...</answer>`` in `reply`, or the whole reply, stripped (linear time)."""
    lowered = reply.lower()
    close = lowered.rfind("</answer>")
    open_ = lowered.rfind("<answer>", 0, close) if close >= 0 else -1
    return (reply[open_ + len("<answer>") : close] if open_ >= 0 else reply).strip()


def parse_moves(reply: str, limit: int) -> list[str] | str:
    """The moves of a reply (`DIRECTIONS` names), or a `str` saying why it holds none (see the module docs)."""
    single = _NAMES.get(reply.lower()) if len(reply) <= 5 else None  # the common reply: one bare move
    if single is not None:
        return [single]
    answer = answer_text(reply)
    if len(answer) > MAX_ANSWER_CHARS:
        return f"the answer has {len(answer)} characters; a move list has at most {MAX_ANSWER_CHARS}"
    tokens = [t.strip("[]()'\"`*.") for t in _SEPARATORS.split(answer)]
    tokens = [t for t in tokens if t]
    if not tokens:
        return "no move found; moves are Up, Down, Left, Right"
    moves = [_NAMES.get(t.lower()) for t in tokens]
    if None in moves:
        bad = tokens[moves.index(None)]
        return f"{bad[:20]!r} is not a move; moves are Up, Down, Left, Right"
    if len(moves) > limit:
        return f"{len(moves)} moves in one reply; at most {limit} per turn"
    return moves


class GridPuzzleEnv(TextEnv):
    """Base of single-player grid puzzles with text or pixel observations (see the module docs)."""

    legal_actions: ClassVar[list[str]] = list(DIRECTIONS)

    def __init__(self, mode: str = "text", actions_per_turn: int = 1, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if not isinstance(actions_per_turn, int) or not 1 <= actions_per_turn <= 10:
            raise ValueError(f"actions_per_turn must be an int from 1 to 10, got {actions_per_turn!r}")
        self.mode, self.actions_per_turn = mode, actions_per_turn
        if mode == "pixel":
            self.observation_space = spaces.Dict(
                {"text": TextSpace(), "image": spaces.Box(0, 255, self._image_shape(), np.uint8)}
            )
        self._extras: dict[str, Any] = {}
        self._board_text = ""
        """The board after the last reset or move (rendered once per turn: the observation and ``state_key``)."""
        self._instruction_text = ""

    # ------------------------------------------------------------------ subclass hooks
    def _new_level(self, rng: random.Random, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Draws the episode's level (or takes one given in `options`); returns the intro line and info extras."""
        raise NotImplementedError

    def _move(self, direction: str) -> tuple[float, bool, str]:
        """Plays one move: its reward, whether the episode ended, and a note on what happened."""
        raise NotImplementedError

    def _board(self) -> str:
        """The current grid as text (the text observation's grid, and ``info["state_key"]``)."""
        raise NotImplementedError

    def _image(self) -> np.ndarray:
        """The current grid as a uint8 image of `_image_shape()`."""
        raise NotImplementedError

    def _image_shape(self) -> tuple[int, int, int]:
        raise NotImplementedError

    def _instructions(self) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------------ the loop
    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        intro, self._extras = self._new_level(random.Random(int(self.np_random.integers(2**63))), options)
        self._board_text, self._instruction_text = self._board(), self._instructions()
        return self._text(intro), self._info()

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        moves = parse_moves(action, self.actions_per_turn)
        if isinstance(moves, str):
            return self.invalid(moves)
        if len(moves) == 1:  # the common turn: one move
            total, terminated, note = self._move(moves[0])
            line = f"{moves[0]}: {note}"
        else:
            total, terminated, notes = 0.0, False, []
            for direction in moves:
                reward, terminated, note = self._move(direction)
                total += reward
                notes.append(f"{direction}: {note}")
                if terminated:
                    break
            line = " ".join(notes)
        if terminated:
            self._needs_reset = True
        self._board_text = self._board()
        return self._text(line), total, terminated, self._info()

    def invalid(self, error: str, info: dict[str, Any] | None = None) -> tuple[str, float, bool, dict[str, Any]]:
        """An error observation (the board unchanged), ``info["error"]`` and ``invalid_action_reward``."""
        info = {**self._info(), **(info or {}), "error": error}
        return self._text(f"Invalid action: {error}. {ANSWER_FORMAT}"), self.invalid_action_reward, False, info

    def _text(self, line: str) -> str:
        if self.mode == "pixel":
            return f"{line}\nThe image shows the board."
        return f"{line}\n{self._board_text}"

    def _info(self) -> dict[str, Any]:
        return {
            "instructions": self._instruction_text,
            "legal_actions": list(self.legal_actions),
            "state_key": self._board_text,
            **self._extras,
        }

    def _present(self, observation: Any) -> Any:
        """The capped text (TextEnv), and in image modes the picture beside it."""
        text = super()._present(observation)
        return text if self.mode == "text" else {"text": text, "image": self._image()}
