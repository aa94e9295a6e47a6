"""TextWorld: interactive fiction games, generated from a seed or loaded from a game file.

**Task.** A text adventure made by TextWorld's own generator: ``challenge`` is one of
``tw-simple`` (the default), ``tw-coin_collector``, ``tw-treasure_hunter`` and ``tw-cooking``, and
``settings`` holds its ``tw-make`` options (``{"level": 5}``, ``{"rewards": "sparse", "goal":
"brief"}``, ``{"recipe": 2, "take": 1}``). Each reset draws a game seed from the reset seed, so
``reset(seed=s)`` always gives the same game; ``reset(options={"game_seed": n})`` picks one
directly. Games are cached on disk by (challenge, settings, seed), see
`agora.envs.text.textworld.games`. Give ``game_file=`` to play an existing ``.z8``/``.ulx`` game instead.
The goal is in ``info["instructions"]``.

**Action format.** Any text command (``open wooden door``, ``go east``, ``take coin``): the game
answers every command, so no action is malformed (``accepts_free_text``). With
``admissible_commands=True`` the observation lists the commands that make sense now and
``info["legal_actions"]`` holds them.

**Rewards.** ``reward="dense"`` (default): the change of the game's score on each turn.
``reward="sparse"``: 0 until the game ends, then the final score. ``info`` carries ``score``,
``max_score``, ``won`` and ``lost``. Episodes terminate when the game is won or lost; the
registered id adds a limit of 100 turns (truncation).

**Scripted agent.** `WalkthroughAgent` replays the game's own walkthrough
(``env.unwrapped.walkthrough``) and reaches the maximum score.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agora._optional import require
from agora.agent import Agent
from agora.core import TextEnv
from agora.envs.text.textworld.games import challenge_settings, game_file

MAX_COMMAND_CHARS = 197  # jericho's input buffer
_UNSAFE = re.compile(r"[^\x20-\x5b\x5d-\x7e]+")  # printable ASCII except backslash (interpreter escapes)
INSTRUCTIONS = (
    "You are playing a text adventure game. Reply with one command per turn, such as "
    "'look', 'inventory', 'go north', 'open door' or 'take key'. Goal: {objective}"
)


def clean_command(action: str) -> str:
    r"""The command sent to the interpreter: one line of printable ASCII without backslashes, < 198 chars.

    Newlines would smuggle several commands into one turn and a backslash starts an interpreter
    escape (``\q`` would quit), so both become spaces. Jericho truncates anything longer (with a
    warning), so the limit is applied here.
    """
    return " ".join(_UNSAFE.sub(" ", action).split())[:MAX_COMMAND_CHARS]


class TextWorldEnv(TextEnv):
    """A TextWorld game as a text env (see the module docs)."""

    accepts_free_text = True

    def __init__(
        self,
        challenge: str = "tw-simple",
        settings: dict[str, Any] | None = None,
        game_file: str | None = None,
        reward: str = "dense",
        admissible_commands: bool = False,
        render_mode: str | None = None,
    ):
        super().__init__(render_mode=render_mode)
        if reward not in ("dense", "sparse"):
            raise ValueError(f"reward must be 'dense' or 'sparse', got {reward!r}")
        if game_file is not None and not Path(game_file).is_file():
            raise FileNotFoundError(f"No TextWorld game at {game_file!r} (expected a .z8 or .ulx file).")
        self.challenge, self.game_file, self.reward_mode = challenge, game_file, reward
        self.settings = None if game_file else challenge_settings(challenge, settings)
        self.admissible_commands = admissible_commands
        self._env: Any = None
        self._path: Path | None = None
        self._state: Any = None
        self.walkthrough: list[str] = []

    def _game_path(self, options: dict[str, Any]) -> Path:
        if self.game_file is not None:
            return Path(self.game_file)
        seed = options.get("game_seed", int(self.np_random.integers(2**16)))
        return game_file(self.challenge, self.settings, int(seed))

    def _open(self, path: Path) -> None:
        if path == self._path:
            return
        textworld = require("textworld", "text")
        if self._env is not None:
            self._env.close()
        infos = textworld.EnvInfos(
            admissible_commands=True,
            score=True,
            max_score=True,
            won=True,
            lost=True,
            objective=True,
            extras=["walkthrough"],
        )
        self._env, self._path = textworld.start(str(path), request_infos=infos), path

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._open(self._game_path(options))
        try:
            self._state = self._env.reset()
        except Exception:  # the interpreter died (it should not); start a fresh one once
            path, self._path = self._path, None
            self._open(path)
            self._state = self._env.reset()
        self.walkthrough = list(self._state.get("extra.walkthrough") or [])
        objective = self._state.get("objective") or "explore and score points."
        info = self._info(self._state)
        info["instructions"] = INSTRUCTIONS.format(objective=objective.strip())
        return self._observation(self._state), info

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        previous = self._state["score"]
        self._state, score, done = self._env.step(clean_command(action))
        if self.reward_mode == "dense":
            reward = score - previous
        else:
            reward = score if done else 0
        return self._observation(self._state), float(reward), bool(done), self._info(self._state)

    def _observation(self, state: Any) -> str:
        text = state.feedback.strip()
        if self.admissible_commands:
            text += "\n\nAdmissible commands: " + ", ".join(state["admissible_commands"])
        return text

    def _info(self, state: Any) -> dict[str, Any]:
        info = {
            "score": state["score"],
            "max_score": state["max_score"],
            "won": bool(state["won"]),
            "lost": bool(state["lost"]),
        }
        if self.admissible_commands:
            info["legal_actions"] = list(state["admissible_commands"])
        return info

    def close(self) -> None:
        """Stops the game interpreter."""
        if self._env is not None:
            self._env.close()
            self._env, self._path = None, None


class WalkthroughAgent(Agent):
    """Replays a game's walkthrough command by command (give it ``env.unwrapped.walkthrough``)."""

    def __init__(self, walkthrough: list[str]):
        self.commands = list(walkthrough)
        self._next = 0

    def reset(self, seed: int | None = None) -> None:
        """Starts the walkthrough over."""
        self._next = 0

    def act(self, observation: str, info: Any) -> str:
        """The next walkthrough command ('look' once it is used up)."""
        command = self.commands[self._next] if self._next < len(self.commands) else "look"
        self._next += 1
        return command
