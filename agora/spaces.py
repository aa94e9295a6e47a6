"""Text spaces and the text observation type shared by every agora env.

Observations and actions of text envs are plain Python strings. Two small accommodations make them
fit the standard checkers unmodified:

* `TextSpace` accepts any Unicode string up to `max_length` (Gymnasium's `Text` only accepts a fixed
  alphabet, which real LLM text never fits), while `sample()` still draws from printable ASCII.
* `TextObs` is a `str` subclass that carries the space's `dtype`, because PettingZoo's `api_test`
  compares `obs.dtype` with the observation space's dtype. It is a `str` in every other respect.

`gymnasium.make_vec(..., vectorization_mode="async")` passes observations through shared memory.
Gymnasium's handlers for `Text` store charset indices and read the buffer once, into a tuple, when
the vector env starts: every later observation came back as the first charset character repeated
`max_length` times. `TextSpace` registers its own handlers: each env's slot holds the text's length
and its Unicode code points (int32), and reading returns a `SharedTexts` view that decodes the
current contents on access (a deep copy, which ``copy=True`` makes, is a plain tuple of `str`).
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory

MAX_TEXT_LENGTH = 1 << 16
SAMPLE_CHARSET = frozenset(string.printable)


class TextSpace(spaces.Text):
    """Any Unicode string of `min_length..max_length` characters; samples printable ASCII."""

    _prototypes: ClassVar[dict[tuple[int, int], TextSpace]] = {}
    """One space per (min_length, max_length), built by `Text.__init__`: the others copy its attributes.

    Gymnasium's constructor rebuilds the charset tables (a sort and a dict over 100 characters) each
    time, most of the cost of making a text env; the tables never change, so one build is enough.
    """

    def __init__(self, max_length: int = MAX_TEXT_LENGTH, *, min_length: int = 0, seed: Any = None):
        key = (min_length, max_length) if seed is None and type(min_length) is type(max_length) is int else None
        proto = TextSpace._prototypes.get(key) if key is not None else None
        if proto is not None:
            self.__dict__.update(proto.__dict__)  # its RNG is unseeded and never used (None)
            return
        super().__init__(max_length, min_length=min_length, charset=SAMPLE_CHARSET, seed=seed)
        if key is not None:
            proto = TextSpace.__new__(TextSpace)
            proto.__dict__.update(self.__dict__)
            TextSpace._prototypes.setdefault(key, proto)

    def contains(self, x: Any) -> bool:
        """True for a `str` whose length lies within the space's bounds."""
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"TextSpace({self.min_length}, {self.max_length})"

    def __eq__(self, other: Any) -> bool:
        return (
            isinstance(other, TextSpace) and self.min_length == other.min_length and self.max_length == other.max_length
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


class SharedTexts(Sequence[str]):
    """A live view of ``n`` texts in shared memory (what `read_from_shared_memory` returns for a `TextSpace`).

    Row ``i`` of the int32 buffer is ``[length, code point 0, code point 1, ...]``. Indexing decodes the
    current contents; ``copy.deepcopy`` (used by `AsyncVectorEnv` when ``copy=True``) gives a tuple of `str`.
    """

    def __init__(self, buffer: Any, n: int, max_length: int):
        self._rows = np.frombuffer(buffer.get_obj(), dtype=np.int32).reshape((n, max_length + 1))

    def __len__(self) -> int:
        return self._rows.shape[0]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        row = self._rows[index]
        return row[1 : 1 + int(row[0])].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        return f"SharedTexts({tuple(self)!r})"

    __hash__ = None  # type: ignore[assignment]  # a mutable view: unhashable


@create_shared_memory.register(TextSpace)
def _create_text_memory(space: TextSpace, n: int = 1, ctx: Any = None) -> Any:
    import multiprocessing

    return (ctx or multiprocessing).Array(np.dtype(np.int32).char, n * (space.max_length + 1))


@read_from_shared_memory.register(TextSpace)
def _read_text_memory(space: TextSpace, shared_memory: Any, n: int = 1) -> SharedTexts:
    return SharedTexts(shared_memory, n, space.max_length)


@write_to_shared_memory.register(TextSpace)
def _write_text_memory(space: TextSpace, index: int, value: str, shared_memory: Any) -> None:
    if not space.contains(value):
        raise ValueError(
            f"observation does not fit {space}: {type(value).__name__} of length "
            f"{len(value) if isinstance(value, str) else '?'} ({str(value)[:80]!r})"
        )
    codes = np.frombuffer(value.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int32)
    row = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)[index * (space.max_length + 1) :][
        : space.max_length + 1
    ]
    row[0] = len(codes)
    row[1 : 1 + len(codes)] = codes


__all__ = ["TextSpace", "TextObs", "SharedTexts", "text_obs", "require_text_action"]
