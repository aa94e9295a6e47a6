"""Scripted agents of reasoning/TwentyFour: ``oracle`` solves the deal; ``random_expression`` is the random baseline.

``oracle`` reads the cards from ``info["state_key"]`` (text and image modes alike) and the values from
``info["values"]``, and answers the solver's expression; every dealt hand has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import Agent, SeededAgent
from agora.envs.reasoning.twenty_four.rules import solve

OPERATORS = ("+", "-", "*", "/")


class OracleAgent(Agent):
    """Answers ``<answer>EXPRESSION</answer>`` with a solution of the deal."""

    name = "oracle"

    def __init__(self, seed: int | None = None):
        pass

    def act(self, observation: Any, info: Mapping[str, Any]) -> str:
        """A solution of the deal in ``info["values"]`` (an empty answer when there is none)."""
        return f"<answer>{solve(list(info['values'])) or ''}</answer>"


class RandomExpressionAgent(SeededAgent):
    """The 24-points random baseline: the four values in random order, joined pairwise by random operators.

    It draws two of the remaining terms, joins them with one of ``+ - * /`` in parentheses, and repeats until
    one expression is left, so every bracketing and order can come out. Each card is used exactly once, so
    every answer is well formed (a division by zero is the env's invalid answer).
    """

    name = "random_expression"

    def act(self, observation: Any, info: Mapping[str, Any]) -> str:
        """A random expression over the deal's values in ``info["values"]``."""
        terms = [str(value) for value in info["values"]]
        while len(terms) > 1:
            left = terms.pop(self.draws.below(len(terms)))
            right = terms.pop(self.draws.below(len(terms)))
            terms.append(f"({left} {self.choice(OPERATORS)} {right})")
        return f"<answer>{terms[0]}</answer>"
