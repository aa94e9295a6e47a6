"""Scripted agents of text/ALFWorld: ``oracle`` plays ALFWorld's hand-coded expert on the episode's game.

An agent never holds the env, so the oracle reads the episode's game (``info["game_file"]``): its
``walkthrough``, the commands ALFWorld's expert played to win it when the game was made (agora's
generator and ``alfworld-generate`` both store it), or, when a game has none, the expert's commands
from playing it in a TextWorld env of its own with ALFWorld's ``AlfredExpert`` wrapper (at most 50
steps). Plans are cached per game file in the process. Games are deterministic, so the commands win
the env's game too.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agora.agent import Agent
from agora.envs.text.alfworld.games import expert_walkthrough


@functools.lru_cache(maxsize=1024)
def expert_plan(game_file: str) -> tuple[str, ...]:
    """The hand-coded expert's winning commands for a game file (empty if it does not win)."""
    stored = json.loads(Path(game_file).read_text()).get("walkthrough")
    if stored:
        return tuple(str(command) for command in stored)
    return tuple(expert_walkthrough(Path(game_file)) or ())


class OracleAgent(Agent):
    """Plays the hand-coded expert's commands for the episode's game, then ``look``."""

    name = "oracle"

    def __init__(self, seed: int | None = None):
        self._plan: list[str] = []
        self._game: str | None = None

    def reset(self, seed: int | None = None) -> None:
        """Forgets the last episode's plan."""
        self._plan, self._game = [], None

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The expert's next command (its plan is made on the episode's first turn)."""
        game = info.get("game_file")
        if game and (game != self._game or "Welcome to TextWorld" in observation):
            self._game, self._plan = game, list(expert_plan(str(game)))
        return self._plan.pop(0) if self._plan else "look"
