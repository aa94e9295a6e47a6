"""One-turn verifiable tasks: a prompt, one reply, an exact verifier.

`SingleTurnEnv` is the shape every task here shares: ``reset`` draws a problem from the seed,
``step`` reads the answer from the reply, scores it and ends the episode. The answer is the text
inside the last ``<answer>...</answer>`` of the reply, or the whole reply when it has no such tag.

A reply whose answer cannot be read (not a number where one is asked, an expression with other
tokens) earns 0, an observation that says why and ``info["error"]``; the episode ends as well, since
there is only one turn. ``info["score"]`` repeats the reward on the final step.

`DatasetEnv.from_dataset(rows, verifier)` makes the same kind of env from the user's own rows.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agora.core import TextEnv

ANSWER_FORMAT = "Put your final answer inside <answer></answer> tags, e.g. <answer>42</answer>."
Verifier = Callable[[str, Mapping[str, Any]], float]
"""``verifier(answer, row) -> reward``; raises ValueError when the answer cannot be read."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One task instance: the prompt shown, the gold answer, and any data the verifier needs."""

    prompt: str
    answer: Any
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def extract_answer(reply: str) -> str:
    """The text of the last ``<answer>...</answer>`` in `reply`, or the whole reply, stripped.

    Linear in the reply's length whatever it holds (two reverse searches; a regex over many unclosed
    ``<answer>`` tags is quadratic).
    """
    lowered = reply.lower()
    close = lowered.rfind("</answer>")
    open_ = lowered.rfind("<answer>", 0, close) if close >= 0 else -1
    return (reply[open_ + len("<answer>") : close] if open_ >= 0 else reply).strip()


class SingleTurnEnv(TextEnv):
    """Base of one-turn tasks: subclasses implement `generate(rng)` and `verify(answer, problem)`."""

    instructions = "Solve the task. " + ANSWER_FORMAT

    def __init__(self, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        self.problem: Problem | None = None

    def generate(self, rng: random.Random) -> Problem:
        """A new problem drawn with `rng`."""
        raise NotImplementedError

    def verify(self, answer: str, problem: Problem) -> float:
        """The reward of `answer` (already extracted) for `problem`; ValueError when unreadable."""
        raise NotImplementedError

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.problem = self.generate(random.Random(int(self.np_random.integers(2**63))))
        return self.problem.prompt, {"instructions": self.instructions}

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        self._needs_reset = True  # one turn per episode
        answer = extract_answer(action)
        try:
            if not answer:
                raise ValueError("the answer is empty")
            reward = float(self.verify(answer, self.problem))
        except ValueError as e:
            return f"Invalid answer: {e}. {ANSWER_FORMAT}", 0.0, True, {"error": str(e), "score": 0.0}
        verdict = "Correct." if reward >= 1.0 else "Not correct."
        return f"{verdict} Reward {reward:g}.", reward, True, {"score": reward}


class DatasetEnv(SingleTurnEnv):
    """A one-turn env over given rows, scored by a given verifier (a template for RLVR datasets).

    Any reply is a real answer unless the verifier raises ValueError (``accepts_free_text``).
    """

    accepts_free_text = True

    def __init__(
        self,
        rows: Sequence[Mapping[str, Any]] = (),
        verifier: Verifier | None = None,
        prompt_key: str = "prompt",
        instructions: str | None = None,
        render_mode: str | None = None,
    ):
        super().__init__(render_mode=render_mode)
        if not rows or verifier is None:
            raise ValueError("DatasetEnv needs rows and a verifier: use DatasetEnv.from_dataset(rows, verifier).")
        missing = [i for i, row in enumerate(rows) if prompt_key not in row]
        if missing:
            raise ValueError(f"rows {missing[:5]} have no {prompt_key!r} key (set prompt_key= to the prompt column).")
        self.rows, self.verifier, self.prompt_key = list(rows), verifier, prompt_key
        self.instructions = instructions or SingleTurnEnv.instructions

    @classmethod
    def from_dataset(cls, rows: Sequence[Mapping[str, Any]], verifier: Verifier, **kwargs: Any) -> DatasetEnv:
        """An env whose episodes are `rows` (each with a prompt), scored by ``verifier(answer, row)``.

        >>> env = DatasetEnv.from_dataset([{"prompt": "2+2?", "answer": "4"}],
        ...                               lambda answer, row: float(answer == row["answer"]))
        >>> _ = env.reset(seed=0)
        >>> env.step("<answer>4</answer>")[1]
        1.0
        """
        return cls(rows, verifier, **kwargs)

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        index = options.get("index", int(self.np_random.integers(len(self.rows))))
        if not isinstance(index, int) or not 0 <= index < len(self.rows):
            raise ValueError(f"options['index'] must be an int in 0..{len(self.rows) - 1}, got {index!r}")
        row = self.rows[index]
        self.problem = Problem(str(row[self.prompt_key]), row.get("answer"), row)
        return self.problem.prompt, {"instructions": self.instructions}

    def verify(self, answer: str, problem: Problem) -> float:
        """Calls the user's verifier with the extracted answer and the row."""
        return self.verifier(answer, problem.data)
