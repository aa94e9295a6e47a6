"""ALFWorld game files: generated and checked on first use (cached on disk), or ALFWorld's own data.

`generated_game(split, index)` returns the ``game.tw-pddl`` of a generated game (see
`agora.envs.text.alfworld.tasks`), writing it on first use under ``$AGORA_CACHE_DIR/alfworld``. Like
``alfworld-generate``, each game is played once by ALFWorld's hand-coded expert (`expert_walkthrough`)
and its walkthrough stored in the file; a draw the expert cannot solve within `EXPERT_STEPS` is dropped
and the next draw of the same game index is tried, so every game served is solvable by the expert.
`original_games(data_dir, split)` lists the solvable games of ALFWorld's downloaded data
(``$ALFWORLD_DATA/json_2.1.1/<split>``), as ALFWorld's own loader does.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from agora._optional import require
from agora.cache import cache_dir
from agora.envs.text.alfworld.tasks import game_spec, write_game

EXPERT_STEPS = 50
"""The most steps the expert may take on a generated game (ALFWorld evaluates agents over 50)."""
MAX_ATTEMPTS = 20
FORMAT = "v1"


def open_game(path: Path, *, expert: bool = False, facts: bool = False) -> Any:
    """A TextWorld PDDL env on one ALFWorld game, with ALFWorld's own wrappers (names, infos, expert)."""
    textworld = require("textworld", "alfworld")
    require("fast_downward", "alfworld")
    envs = require("textworld.envs", "alfworld")
    wrappers = require("alfworld.agents.environment.alfred_tw_env", "alfworld")
    extras = ["gamefile"] + (["expert_plan"] if expert else [])
    infos = textworld.EnvInfos(admissible_commands=True, won=True, facts=facts, extras=extras)
    env = wrappers.AlfredInfos(wrappers.AlfredDemangler(envs.PddlEnv(infos), shuffle=False))
    if expert:
        env = wrappers.AlfredExpert(env, expert_type=wrappers.AlfredExpertType.HANDCODED)
    env.load(str(path))
    return env


def expert_walkthrough(path: Path, max_steps: int = EXPERT_STEPS) -> list[str] | None:
    """The commands ALFWorld's hand-coded expert plays to win the game, or None if it does not win."""
    env = open_game(path, expert=True)
    try:
        state, commands = env.reset(), []
        while len(commands) < max_steps:
            command = state["extra.expert_plan"][0]
            state, _, done = env.step(command)
            commands.append(command)
            if state["won"]:
                return commands
            if done:
                return None
        return None
    except Exception:  # noqa: BLE001 - the expert gives up by raising (timeout, no subgoal left)
        return None
    finally:
        env.close()


def games_dir() -> Path:
    """Where generated games are kept: ``alfworld/<format>`` in agora's cache."""
    return cache_dir("alfworld", FORMAT)


def generated_game(split: str, index: int) -> Path:
    """The checked ``game.tw-pddl`` of game `index` of `split`, generated on first use."""
    first = game_spec(split, index)
    final = games_dir() / split / f"{index:05d}"
    path = final / "game.tw-pddl"
    if path.exists():
        return path
    for attempt in range(MAX_ATTEMPTS):
        spec = first if attempt == 0 else game_spec(split, index, attempt)
        with tempfile.TemporaryDirectory(dir=cache_dir("alfworld"), prefix=".tmp-") as tmp:
            draft = write_game(spec, Path(tmp) / "game")
            walkthrough = expert_walkthrough(draft)
            if walkthrough is None:
                continue
            game = json.loads(draft.read_text())
            game.update(solvable=True, walkthrough=walkthrough)
            draft.write_text(json.dumps(game))
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(draft.parent, final)  # the folder appears whole, or another process won
            except OSError:
                shutil.rmtree(draft.parent, ignore_errors=True)
            return path
    raise RuntimeError(f"ALFWorld's expert solved none of {MAX_ATTEMPTS} draws of game {index} of {split!r}.")


def original_games(data_dir: str | Path, split: str, task_types: tuple[str, ...]) -> list[Path]:
    """The solvable games of ALFWorld's data for `split` and `task_types`, sorted (ALFWorld's own filter)."""
    root = Path(data_dir) / "json_2.1.1" / split
    if not root.is_dir():
        raise FileNotFoundError(f"No ALFWorld data at {root} (set ALFWORLD_DATA to the folder holding json_2.1.1).")
    games = []
    for traj in sorted(root.glob("**/traj_data.json")):
        game = traj.parent / "game.tw-pddl"
        if "movable" in str(traj.parent) or "Sliced" in str(traj.parent) or not game.exists():
            continue
        if json.loads(traj.read_text()).get("task_type") not in task_types:
            continue
        if json.loads(game.read_text()).get("solvable"):
            games.append(game)
    return games
