"""Scripted agents of reasoning/TwentyFour: ``oracle`` answers a solution of the deal it is shown.

It reads the cards from ``info["state_key"]`` (text and image modes alike) and the values from
``info["values"]``, and answers the solver's expression; every dealt hand has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import Agent
from agora.envs.reasoning.twenty_four.rules import solve


class OracleAgent(Agent):
    """Answers ``<answer>EXPRESSION</answer>`` with a solution of the deal."""

    name = "oracle"

    def __init__(self, seed: int | None = None):
        pass

    def act(self, observation: Any, info: Mapping[str, Any]) -> str:
        """A solution of the deal in ``info["values"]`` (an empty answer when there is none)."""
        return f"<answer>{solve(list(info['values'])) or ''}</answer>"
