"""Text spaces and the text observation type shared by every agora env.

Observations and actions of text envs are plain Python strings. Two small accommodations make them
fit the standard checkers unmodified:

* `TextSpace` accepts any Unicode string up to `max_length` (Gymnasium's `Text` only accepts a fixed
  alphabet, which real LLM text never fits), while `sample()` still draws from printable ASCII.
* `TextObs` is a `str` subclass that carries the space's `dtype`, because PettingZoo's `api_test`
  compares `obs.dtype` with the observation space's dtype. It is a `str` in every other respect.
"""

from __future__ import annotations

import string
from typing import Any

from gymnasium import spaces

MAX_TEXT_LENGTH = 1 << 16
SAMPLE_CHARSET = frozenset(string.printable)


class TextSpace(spaces.Text):
    """Any Unicode string of `min_length..max_length` characters; samples printable ASCII."""

    def __init__(self, max_length: int = MAX_TEXT_LENGTH, *, min_length: int = 0, seed: Any = None):
        super().__init__(max_length, min_length=min_length, charset=SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        """True for a `str` whose length lies within the space's bounds."""
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"TextSpace({self.min_length}, {self.max_length})"

    def __eq__(self, other: Any) -> bool:
        return (
            isinstance(other, TextSpace)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )

    __hash__ = spaces.Text.__hash__


class TextObs(str):
    """A text observation: a `str` that also carries the dtype of `TextSpace` (see module docs)."""

    __slots__ = ()
    dtype = TextSpace().dtype


def text_obs(text: str) -> TextObs:
    """Wraps `text` as a `TextObs` (a no-op for one already)."""
    return text if type(text) is TextObs else TextObs(text)


def require_text_action(action: Any) -> str:
    """Returns `action` if it is a `str`; raises `TypeError` naming the expected type otherwise."""
    if not isinstance(action, str):
        raise TypeError(
            f"agora actions are text: expected str, got {type(action).__name__} ({action!r:.80}). "
            "Pass the agent's reply as a string, e.g. env.step('[4]')."
        )
    return action


__all__ = ["TextSpace", "TextObs", "text_obs", "require_text_action"]
