"""ScienceWorld: 30 elementary-science tasks in a simulated world, played through the real simulator.

**Upstream.** The ``scienceworld`` wheel (PyPI) ships the simulator itself, a Scala JAR run by Java
(Debian's ``default-jre-headless``), and its Python API. This env drives that API: nothing of the
world is reimplemented. One JVM per env instance starts on the first reset (about 3 s) and is reused
by every later reset (each reset rebuilds the world, so nothing of one episode survives into the
next); ``close()`` stops it. agora generates nothing here: the tasks, their variations, the splits and
the gold action sequences are all the simulator's.

**Task.** ``task`` is one of the 30 tasks by name (``boil``, ``find-animal``,
``mendelian-genetics-known-plant``, ...), id (``1-1``) or paper title, or None (the default) to draw
one per reset.
``variation`` picks one of the task's variations, or None to draw one from ``split``: ``train``
(default), ``dev`` or ``test`` are ScienceWorld's own variation splits (as the simulator defines them),
``all`` any variation. ``simplifications`` is ScienceWorld's string: ``""`` (default), ``"easy"``, or
a comma list of ``teleportAction``, ``selfWateringFlowerPots``, ``openContainers``, ``openDoors``,
``noElectricalAction``. ``reset(options={"task": ..., "variation": ...})`` overrides both for one
episode. The task description opens the first observation and ``info["instructions"]``.

**Splits and the papers.** ScienceWorld splits each task's variations, not its tasks: ``train``, ``dev``
and ``test`` hold different variations (other objects, places, substances) of all 30 tasks. The
ScienceWorld paper trains on ``train`` variations, tunes on ``dev`` and reports scores on ``test``
variations; ``split="test"`` gives the variations it reports on, and a score here is the simulator's own
score, so figures compare directly.

**Action format.** One command per turn from ScienceWorld's templates (``open door to kitchen``,
``go to kitchen``, ``pick up thermometer``, ``focus on water``, ``wait``); the simulator answers any
text (``No known action matches that input.``), so no action is malformed (``accepts_free_text``).
An ambiguous command makes the simulator list numbered choices; reply with the number. Commands are
cut to one line of printable ASCII of at most 300 characters. ``info["legal_actions"]`` holds the
simulator's valid action-object combinations for the current state.

**Rewards.** ``reward="dense"`` (default): the change of ScienceWorld's score (0 to 100) on each turn,
divided by 100, so a solved task returns 1.0 in all. Focusing on a wrong object fails the task: the
score drops to -100 and the episode ends. ``reward="sparse"``: 0 until the episode ends, then the final
score / 100. ``info`` carries ``score``, ``max_score`` (100), ``won``, ``lost``, ``moves``, ``task``,
``variation`` and ``simplifications``. Episodes terminate when the task is completed or failed; the
registered id truncates after 100 turns. A simulator failure ends the episode with
``info["infra_error"]``; the next reset starts a fresh JVM.

**Scripted agent.** ``oracle`` (`agora.envs.text.scienceworld.agents.OracleAgent`) plays the
simulator's own gold action sequence for the episode's task variation and reaches the full score.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from agora.core import TextEnv
from agora.envs.text.scienceworld.simulator import SPLITS, Simulator, task_name, task_names

MAX_COMMAND_CHARS = 300
_UNSAFE = re.compile(r"[^\x20-\x7e]+")
_FAILED = "The simulator failed; the episode cannot go on."
INSTRUCTIONS = (
    "You are an agent in ScienceWorld, a simulated world of rooms, objects, substances, living things and "
    "devices. Reply with one action per turn, built from these templates (OBJ is something you can see): "
    "{templates}. 'wait' lets 10 time steps pass, 'wait1' one. 'focus on OBJ' tells the simulator what your "
    "task is about: focusing on the wrong thing fails the task. {task}"
)


def clean_command(action: str) -> str:
    """The command sent to the simulator: one line of printable ASCII, at most 300 characters."""
    return " ".join(_UNSAFE.sub(" ", action).split())[:MAX_COMMAND_CHARS]


def _py4j_error() -> type[Exception]:
    from py4j.protocol import Py4JError

    return Py4JError


class ScienceWorldEnv(TextEnv):
    """A ScienceWorld task variation as a text env (see the module docs)."""

    accepts_free_text = True
    scripted_agents: ClassVar[dict[str, str]] = {"oracle": "agora.envs.text.scienceworld.agents:OracleAgent"}
    upstream_distributions: ClassVar[tuple[str, ...]] = ("scienceworld",)

    def __init__(
        self,
        task: str | None = None,
        variation: int | None = None,
        split: str = "train",
        simplifications: str = "",
        reward: str = "dense",
        render_mode: str | None = None,
    ):
        super().__init__(render_mode=render_mode)
        if split not in (*SPLITS, "all"):
            raise ValueError(f"split must be one of {', '.join(SPLITS)} or 'all', got {split!r}")
        if reward not in ("dense", "sparse"):
            raise ValueError(f"reward must be 'dense' or 'sparse', got {reward!r}")
        self.task = None if task is None else task_name(task)
        self.variation, self.split, self.reward_mode = variation, split, reward
        self.simplifications = simplifications
        self.simulator = Simulator()
        self.episode: tuple[str, int, str] | None = None
        self._score = 0
        self._done = False
        self._templates: dict[str, str] = {}

    def _pick(self, options: dict[str, Any]) -> tuple[str, int]:
        task = options.get("task", self.task)
        task = task_names()[int(self.np_random.integers(len(task_names())))] if task is None else task_name(task)
        choices = self._variations(task)
        variation = options.get("variation", self.variation)
        if variation is None:
            return task, int(choices[int(self.np_random.integers(len(choices)))])
        if isinstance(variation, bool) or not isinstance(variation, int) or variation not in choices:
            raise ValueError(
                f"Variation {variation!r} of {task} is not in the {self.split!r} split "
                f"({len(choices)} variations, {choices[0]}..{choices[-1]}); use split='all' for any."
            )
        return task, variation

    def _variations(self, task: str) -> tuple[int, ...]:
        splits = self.simulator.splits(task)
        if self.split == "all":
            return tuple(sorted(v for name in SPLITS for v in splits[name]))
        return splits[self.split]

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        task, variation = self._pick(options)
        self.episode = (task, variation, self.simplifications)
        try:
            upstream, (look, raw) = self._start_episode()
        except _py4j_error():  # the JVM died between episodes: start a fresh one once
            self.simulator.close()
            upstream, (look, raw) = self._start_episode()
        self._score, self._done = 0, False
        if self.simplifications not in self._templates:
            self._templates[self.simplifications] = ", ".join(upstream.get_possible_actions())
        templates = self._templates[self.simplifications]
        task_text = raw["taskDesc"].strip()
        info = self._info(raw)
        info["instructions"] = INSTRUCTIONS.format(templates=templates, task=task_text)
        return f"{task_text}\n\n{look.strip()}", info

    def _start_episode(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        self.simulator.load(*self.episode)
        upstream = self.simulator.upstream
        return upstream, upstream.reset()

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        upstream = self.simulator.upstream
        if upstream is None:
            return _FAILED, 0.0, True, {"infra_error": "the ScienceWorld simulator is stopped: reset the env"}
        try:
            observation, _, completed, raw = upstream.step(clean_command(action))
        except _py4j_error() as e:
            self.simulator.close()
            error = f"the ScienceWorld simulator failed: {type(e).__name__}: {str(e)[:300]}"
            return _FAILED, 0.0, True, {"infra_error": error}
        previous, self._score = self._score, int(raw["score"])
        done = bool(completed)
        if self.reward_mode == "dense":
            reward = (self._score - previous) / 100
        else:
            reward = self._score / 100 if done and not self._done else 0.0
        self._done = self._done or done
        return observation.strip(), reward, done, self._info(raw, done)

    def _info(self, raw: dict[str, Any], done: bool = False) -> dict[str, Any]:
        score = int(raw["score"])
        task, variation, simplifications = self.episode
        return {
            "task": task,
            "variation": variation,
            "simplifications": simplifications,
            "score": score,
            "max_score": 100,
            "won": done and score >= 100,
            "lost": score < 0,
            "moves": int(raw["moves"]),
            "legal_actions": [str(a) for a in raw["valid"]],
        }

    def close(self) -> None:
        """Stops the simulator's JVM."""
        self.simulator.close()
