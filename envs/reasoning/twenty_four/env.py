"""TwentyFour (24 points): make 24 from four playing cards with + - * / and parentheses.

**Upstream and generated.** No upstream package: the deal, the exact verifier, the solver and the card
images are agora's own. The face-card rule and the image-of-cards observation follow RL4VLM's ``Points24``
(gym-cards); unlike it, the whole expression comes in one reply, cards are dealt from one deck without
replacement, and only solvable deals are dealt (the puzzles guide compares the two).

**Splits and the papers.** There are no fixed splits: a seed is a deal. Hold deals out for evaluation by
drawing them from a seed range that training never uses; with ``face_cards="ten"`` there are 566 solvable
value multisets, so a long training run sees most of them whatever the seeds.

**Deal.** Four cards from a shuffled 52-card deck, drawn from the seed. A is 1, number cards their number,
and J, Q, K count 10 (``face_cards="ten"``, as in RL4VLM's Points24) or 11, 12, 13 (``face_cards="rank"``).
Only solvable deals are dealt: a deal the solver cannot bring to 24 is put back and another is drawn
(with 1-13 values, 1,362 of the 1,820 value multisets are solvable).

**Observation.** ``mode="text"`` (``reasoning/TwentyFour-v0``): the cards and their values in the prompt.
``mode="image"`` (``reasoning/VisualTwentyFour-v0``): ``{"text": the task without the cards, "image":
96x264x3 uint8}`` showing the four cards on a table; the agent must read them.

**Action format.** One arithmetic expression inside ``<answer></answer>`` (or the whole reply) that uses
each card's value exactly once, with ``+ - * /`` (``× ÷`` too) and parentheses, e.g.
``<answer>(10 - 4) * (3 + 1)</answer>``; a trailing ``= 24`` is ignored. Arithmetic is exact
(`fractions.Fraction`), so ``8 / (3 - 8 / 3)`` is 24. The parser is bounded (120 characters, two
digits a number, eight numbers, parentheses six deep); anything past a bound is an invalid answer.

**Rewards.** 1 when the expression uses exactly the four values and equals 24, else 0. A reply that
does not parse, divides by zero, or uses other numbers (or a card twice, or not at all) earns 0 with
``info["error"]``. One turn per episode.

**Info.** ``instructions``, ``state_key`` (the cards, e.g. ``"10♥ A♠ Q♦ 7♣"``), ``values``. The ``oracle``
agent answers a solution of the deal in ``state_key``; ``random_expression`` (the random baseline: the four
values in random order and bracketing, random operators) makes 24 in about 1% of deals.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agora.envs.reasoning.base import ANSWER_FORMAT, Problem, SingleTurnEnv
from agora.envs.reasoning.twenty_four.cards import HEIGHT, WIDTH, draw_hand
from agora.envs.reasoning.twenty_four.rules import FACE_RULES, RANKS, SUITS, TARGET, card_value, evaluate, solve
from agora.spaces import TextSpace

MODES = ("text", "image")


def deal(rng: random.Random, face_cards: str = "ten") -> tuple[list[tuple[str, str]], list[int], str]:
    """Four cards with a solution: ``(cards, values, expression)``; unsolvable deals are drawn again."""
    deck = [(rank, suit) for suit in SUITS for rank in RANKS]
    while True:
        cards = rng.sample(deck, 4)
        values = [card_value(rank, face_cards) for rank, _ in cards]
        expression = solve(values)
        if expression is not None:
            return cards, values, expression


class TwentyFour(SingleTurnEnv):
    """Make 24 from four cards (see the module docs)."""

    scripted_agents: ClassVar[dict[str, str]] = {
        "oracle": "agora.envs.reasoning.twenty_four.agents:OracleAgent",
        "random_expression": "agora.envs.reasoning.twenty_four.agents:RandomExpressionAgent",
    }

    def __init__(self, face_cards: str = "ten", mode: str = "text", render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if face_cards not in FACE_RULES:
            raise ValueError(f"face_cards must be one of {FACE_RULES}, got {face_cards!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.face_cards, self.mode = face_cards, mode
        self._image: np.ndarray | None = None
        faces = "J, Q and K count 10" if face_cards == "ten" else "J, Q and K count 11, 12 and 13"
        self.instructions = (
            f"Play 24 points: combine the values of the four cards with + - * / and parentheses to make "
            f"{TARGET}, using each card exactly once. A counts 1, {faces}. Answer with the expression. " + ANSWER_FORMAT
        )
        if mode == "image":
            self.observation_space = spaces.Dict(
                {"text": TextSpace(), "image": spaces.Box(0, 255, (HEIGHT, WIDTH, 3), np.uint8)}
            )

    def generate(self, rng: random.Random) -> Problem:
        """A solvable deal (see the module docs)."""
        cards, values, expression = deal(rng, self.face_cards)
        shown = " ".join(rank + suit for rank, suit in cards)
        if self.mode == "image":
            prompt = f"The image shows four cards. Make {TARGET} with their values."
        else:
            prompt = f"Cards: {shown} (values {', '.join(map(str, values))}). Make {TARGET}."
        return Problem(prompt, TARGET, {"cards": cards, "shown": shown, "values": values, "solution": expression})

    def verify(self, answer: str, problem: Problem) -> float:
        """1.0 when the expression uses each card value exactly once and equals 24 (ValueError if unreadable)."""
        value, used = evaluate(answer)
        wanted = Counter(problem.data["values"])
        if Counter(used) != wanted:
            extra, missing = Counter(used) - wanted, wanted - Counter(used)
            parts = [f"uses {sorted(extra.elements())} beyond the cards"] if extra else []
            parts += [f"leaves out {sorted(missing.elements())}"] if missing else []
            raise ValueError(f"each card must be used exactly once: the expression {' and '.join(parts)}")
        return float(value == TARGET)

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        prompt, info = super()._reset(options)
        self._image = None
        return prompt, {**info, "state_key": self.problem.data["shown"], "values": list(self.problem.data["values"])}

    def _present(self, observation: Any) -> Any:
        """The capped text (TextEnv), and in image modes the picture beside it."""
        text = super()._present(observation)
        if self.mode == "text":
            return text
        if self._image is None:
            self._image = draw_hand(self.problem.data["cards"])
        return {"text": text, "image": self._image.copy()}  # a new array each time: callers keep them

    def __repr__(self) -> str:
        return f"<TwentyFour face_cards={self.face_cards} mode={self.mode}>"
