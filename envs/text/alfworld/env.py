"""ALFWorld: household tasks in text (find, take, clean, heat, cool, look under a lamp, put), TextWorld's PDDL engine.

**Upstream and generated.** The ``alfworld`` wheel (PyPI) ships ALFWorld's PDDL domain
(``alfred.pddl``), its text grammar (``alfred.twl2``), its goal library, ALFRED's object rules and
floor plans, TextWorld wrappers and the hand-coded expert, but not ALFWorld's game files (a web
download). agora generates the games offline from the shipped floor plans
(`agora.envs.text.alfworld.tasks`): game ``index`` of a split has task type ``index % 6`` in
ALFWorld's order (pick and place, look at in light, clean, heat, cool, pick two), a scene, task
objects and object placements drawn from the game's own seed; every game is checked by playing
ALFWorld's expert on it, as ``alfworld-generate`` does, and cached on disk. TextWorld's PDDL engine
(``textworld[pddl]``) plays them with ALFWorld's own domain and grammar and wrappers. With
``data_dir=``, or ``ALFWORLD_DATA``, pointing at ALFWorld's downloaded data (the folder holding
``json_2.1.1``), the env plays the original games of ``json_2.1.1/<split>`` instead (solvable ones, as
ALFWorld's loader filters them). ``ALFWORLD_DATA`` without ``json_2.1.1`` is ignored: importing
alfworld sets it to an empty default folder.

**Task.** ``split`` is ``train`` (3,553 games), ``valid_seen`` (140: held-out games in training
scenes) or ``valid_unseen`` (134: held-out scenes), ALFWorld's split names and sizes. ``task_types``
limits the task types (default: all six). Each reset draws a game; ``reset(options={"game": i})``
picks game ``i`` (an index into the split, or into the filtered original games). The task sentence
ends the first observation (``Your task is to: put a clean apple in fridge.``) and is in
``info["instructions"]``.

**Splits and the papers.** Papers that train on ALFWorld train on ``train`` and report success on
``valid_seen`` (ALFWorld's "seen" or in-distribution set: new games in training scenes) and ``valid_unseen``
("unseen" or out-of-distribution: scenes never trained on), per task type and overall. The generated
splits keep that relation (``valid_unseen`` draws only ALFRED's held-out scenes) and ALFWorld's sizes, but
their games are agora's, not the downloaded ones: a success rate on them is comparable in kind, not number
for number. To report figures beside a paper's, point ``ALFWORLD_DATA`` at the original data.

**Action format.** ALFWorld's commands: ``go to cabinet 1``, ``open fridge 1``, ``take apple 1 from
countertop 2``, ``move apple 1 to fridge 1``, ``heat/cool/clean apple 1 with microwave 1/fridge
1/sinkbasin 1``, ``use desklamp 1``, ``examine``, ``look``, ``inventory``. The game answers any text
(``Nothing happens.``), so none is malformed (``accepts_free_text``); commands are cut to one line of
printable ASCII of at most 200 characters. ``info["legal_actions"]`` holds the admissible commands,
as ALFWorld's ``admissible_commands``.

**Rewards.** 1.0 on the turn the task is done (ALFWorld's success), else 0; the episode then
terminates. The registered id truncates after 50 turns, ALFWorld's evaluation budget. ``info``
carries ``won``, ``task_type``, ``game`` and ``game_file``.

**Scripted agent.** ``oracle`` (`agora.envs.text.alfworld.agents.OracleAgent`) plays the commands of
ALFWorld's hand-coded expert for the episode's game (its stored walkthrough, or the expert run live)
and solves every generated game.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, ClassVar

from agora.core import TextEnv
from agora.envs.text.alfworld.games import generated_game, open_game, original_games
from agora.envs.text.alfworld.tasks import SPLITS, TASK_TYPES, task_type_of

MAX_COMMAND_CHARS = 200
_UNSAFE = re.compile(r"[^\x20-\x7e]+")
INSTRUCTIONS = (
    "You are in a household, in text. Reply with one command per turn, such as 'go to cabinet 1', "
    "'open fridge 1', 'take apple 1 from countertop 2', 'move apple 1 to fridge 1', 'heat apple 1 with "
    "microwave 1', 'cool apple 1 with fridge 1', 'clean apple 1 with sinkbasin 1', 'use desklamp 1', "
    "'examine apple 1', 'look' or 'inventory'. Your task is to: {task}"
)


def clean_command(action: str) -> str:
    """The command sent to the game: one line of printable ASCII, at most 200 characters."""
    return " ".join(_UNSAFE.sub(" ", action).split())[:MAX_COMMAND_CHARS]


def _downloaded_data() -> str | None:
    """``$ALFWORLD_DATA`` when it holds ALFWorld's data (importing alfworld sets it to an empty default)."""
    path = os.environ.get("ALFWORLD_DATA")
    return path if path and (Path(path) / "json_2.1.1").is_dir() else None


class ALFWorldEnv(TextEnv):
    """An ALFWorld game as a text env (see the module docs)."""

    accepts_free_text = True
    scripted_agents: ClassVar[dict[str, str]] = {"oracle": "agora.envs.text.alfworld.agents:OracleAgent"}
    upstream_distributions: ClassVar[tuple[str, ...]] = ("alfworld", "textworld")

    def __init__(
        self,
        split: str = "train",
        task_types: tuple[str, ...] | list[str] | None = None,
        data_dir: str | None = None,
        render_mode: str | None = None,
    ):
        super().__init__(render_mode=render_mode)
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
        self.task_types = tuple(task_types or TASK_TYPES)
        unknown = [t for t in self.task_types if t not in TASK_TYPES]
        if unknown:
            raise ValueError(f"Unknown ALFWorld task types {unknown}; choose from {', '.join(TASK_TYPES)}.")
        self.split = split
        self.data_dir = data_dir or _downloaded_data()
        self._original: list[Path] | None = None
        self._game: Any = None
        self._state: Any = None
        self._won = False
        self.game_file: Path | None = None
        self.game_index: int | None = None

    def _games(self) -> list[int] | list[Path]:
        if self.data_dir:
            if self._original is None:
                self._original = original_games(self.data_dir, self.split, self.task_types)
            return self._original
        return [i for i in range(SPLITS[self.split]) if task_type_of(i) in self.task_types]

    def _pick(self, options: dict[str, Any]) -> tuple[int, Path]:
        games = self._games()
        if "game" in options:
            index = options["game"]
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(games):
                raise ValueError(f"game must be an index 0..{len(games) - 1} of this split's games, got {index!r}")
        else:
            index = int(self.np_random.integers(len(games)))
        if self.data_dir:
            return index, games[index]
        return games[index], generated_game(self.split, games[index])

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.game_index, path = self._pick(options)
        if self._game is None or path != self.game_file:
            self.close()
            self._game, self.game_file = open_game(path), path
        self._state, self._won = self._game.reset(), False
        feedback = self._state.feedback.strip()
        task = feedback.rsplit("Your task is to:", 1)[-1].strip()
        info = self._info()
        info["instructions"] = INSTRUCTIONS.format(task=task)
        return feedback, info

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        if self._game is None:
            return "The game is closed.", 0.0, True, {"infra_error": "the ALFWorld game is closed: reset the env"}
        self._state, _, _ = self._game.step(clean_command(action))
        won = bool(self._state["won"])
        reward = 1.0 if won and not self._won else 0.0
        self._won = self._won or won
        return self._state.feedback.strip(), reward, won, self._info()

    def _info(self) -> dict[str, Any]:
        return {
            "won": bool(self._state["won"]),
            "task_type": self._task_type(),
            "game": self.game_index,
            "game_file": str(self.game_file),
            "legal_actions": [str(c) for c in self._state["admissible_commands"]],
        }

    def _task_type(self) -> str:
        if not self.data_dir:
            return task_type_of(self.game_index)
        return json.loads((self.game_file.parent / "traj_data.json").read_text())["task_type"]

    def close(self) -> None:
        """Closes the game."""
        if self._game is not None:
            self._game.close()
            self._game, self.game_file = None, None
