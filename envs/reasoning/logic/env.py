"""Ordering logic: deduce a position from pairwise comparisons.

**Task.** ``people`` people (5 by default) of different heights; the prompt lists, in shuffled
order, who is taller than whom for each pair of neighbours in the height order (enough facts to
fix the whole order), and asks who is the k-th tallest.

**Action format.** The person's name inside ``<answer></answer>`` (or the whole reply).

**Rewards.** 1 for the right person, 0 for another person; a reply that names nobody in the puzzle
earns 0 with ``info["error"]``. One turn per episode.
"""

from __future__ import annotations

import random

from agora.envs.reasoning.base import ANSWER_FORMAT, Problem, SingleTurnEnv

NAMES = ["Ada", "Bruno", "Cleo", "Dmitri", "Esme", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca"]
ORDINALS = [
    "tallest",
    "second tallest",
    "third tallest",
    "fourth tallest",
    "fifth tallest",
    "sixth tallest",
    "seventh tallest",
    "eighth tallest",
]


class Logic(SingleTurnEnv):
    """Who is the k-th tallest, from pairwise comparisons (see the module docs)."""

    instructions = "Read the facts and answer the question with one name. " + ANSWER_FORMAT

    def __init__(self, people: int = 5, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if not 3 <= people <= len(ORDINALS):
            raise ValueError(f"people must be between 3 and {len(ORDINALS)}, got {people}")
        self.people = people

    def generate(self, rng: random.Random) -> Problem:
        """A random height order, its neighbour facts (shuffled) and a question."""
        order = rng.sample(NAMES, self.people)  # tallest first
        facts = [
            f"{a} is taller than {b}." if rng.random() < 0.5 else f"{b} is shorter than {a}."
            for a, b in zip(order, order[1:], strict=False)
        ]
        rng.shuffle(facts)
        k = rng.randrange(self.people)
        question = "shortest" if k == self.people - 1 else ORDINALS[k]
        prompt = f"{' '.join(facts)} Who is the {question}?"
        return Problem(prompt, order[k], {"people": sorted(order)})

    def verify(self, answer: str, problem: Problem) -> float:
        """1.0 for the right name (case and a trailing period ignored)."""
        name = answer.strip().rstrip(".").strip().lower()
        known = {p.lower() for p in problem.data["people"]}
        if name not in known:
            raise ValueError(f"{answer[:40]!r} is not one of {', '.join(problem.data['people'])}")
        return float(name == problem.answer.lower())
