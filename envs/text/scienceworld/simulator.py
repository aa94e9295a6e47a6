"""One ScienceWorld simulator: a JVM running the ``scienceworld`` wheel's JAR, driven by its own Python API.

`Simulator` starts the JVM on first use (about 3 s), loads a (task, variation, simplifications) only
when it differs from the loaded one, and stops the JVM in `close`. ScienceWorld's train/dev/test
variation splits come from the simulator itself (`Simulator.splits`, cached per process: they are
fixed by the JAR). `TASKS` lists the 30 tasks in ScienceWorld's order (``1-1`` boil ... ``10-1``).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from agora._optional import require

NO_STEP_LIMIT = 10**9
"""ScienceWorld's own step limit ends an episode as 'completed'; agora truncates with `TurnLimit` instead."""
SPLITS = ("train", "dev", "test")
_SPLIT_TABLE: dict[str, dict[str, tuple[int, ...]]] = {}


def _constants() -> Any:
    return require("scienceworld.constants", "text")


def task_names() -> tuple[str, ...]:
    """The 30 task names in ScienceWorld's order (``boil``, ``melt``, ...), from the wheel's ``tasks.json``."""
    return tuple(task["task_name"] for task in _constants().TASKS)


def task_name(name_or_id: str) -> str:
    """A task's canonical name from its name, its id (``1-1``) or its paper title; ValueError if unknown."""
    utils = require("scienceworld.utils", "text")
    name = utils.infer_task(str(name_or_id))
    if name not in task_names():
        raise ValueError(f"Unknown ScienceWorld task {name_or_id!r}; choose one of {', '.join(task_names())}.")
    return name


class Simulator:
    """A lazily started ScienceWorld JVM, reused across episodes (see the module docs)."""

    def __init__(self) -> None:
        self.upstream: Any = None
        self.loaded: tuple[str, int, str] | None = None

    def start(self) -> Any:
        """The upstream ``ScienceWorldEnv``, starting its JVM if none runs."""
        if self.upstream is None:
            if shutil.which("java") is None:
                raise RuntimeError("ScienceWorld needs Java: apt-get install default-jre-headless")
            scienceworld = require("scienceworld", "text")
            self.upstream = scienceworld.ScienceWorldEnv("", envStepLimit=NO_STEP_LIMIT)
            self.loaded = None
        return self.upstream

    def load(self, task: str, variation: int, simplifications: str) -> None:
        """Loads a task variation unless it is the one loaded (a reset rebuilds the world anyway)."""
        key = (task, variation, simplifications)
        if key != self.loaded:
            self.loaded = None  # a failed load leaves nothing half-loaded behind
            self.start().load(task, variation, simplifications)
            self.loaded = key

    def splits(self, task: str) -> dict[str, tuple[int, ...]]:
        """ScienceWorld's train/dev/test variation indices of `task`, asked of the simulator once per process."""
        if task not in _SPLIT_TABLE:
            upstream = self.start()
            if self.loaded is None or self.loaded[0] != task:
                self.load(task, 0, "")
            _SPLIT_TABLE[task] = {
                "train": tuple(upstream.get_variations_train()),
                "dev": tuple(upstream.get_variations_dev()),
                "test": tuple(upstream.get_variations_test()),
            }
        return _SPLIT_TABLE[task]

    def close(self) -> None:
        """Stops the JVM (a later `start` runs a fresh one)."""
        upstream, self.upstream, self.loaded = self.upstream, None, None
        if upstream is not None:
            process = upstream._gateway.java_process
            try:
                upstream.close()  # asks the JVM to exit
            except Exception:  # noqa: BLE001 - a JVM that already died cannot be asked
                pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
