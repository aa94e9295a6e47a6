"""`HumanAgent`: a person at the terminal plays through the same `Agent` protocol as any policy."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import IO, Any

from agora.agent import Agent


class HumanAgent(Agent):
    """Shows each observation (and the legal moves) and reads the action from a line of input.

    Args:
        stdin: where actions are read from (default ``sys.stdin``).
        stdout: where observations are written (default ``sys.stdout``).
    """

    name = "human"

    def __init__(self, stdin: IO[str] | None = None, stdout: IO[str] | None = None):
        self.stdin = stdin
        self.stdout = stdout

    def fork(self) -> HumanAgent:
        """The same person (there is only one terminal)."""
        return self

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """Prints the observation and returns the next input line (EOF ends the game: an empty action)."""
        out = self.stdout or sys.stdout
        out.write(f"\n{observation}\n")
        if info.get("legal_actions"):
            out.write(f"legal: {' '.join(info['legal_actions'])}\n")
        out.write("> ")
        out.flush()
        line = (self.stdin or sys.stdin).readline()
        return line.rstrip("\n")
