"""Scripted agents of swe/BugFix: ``oracle`` (reverts the bug, then submits) and ``noop`` (submits at once).

The oracle finds its task by ``info["instance_id"]`` in ``info["task_source"]`` (the env never shows the
gold patch), reverts the bug with one ``edit`` call whose ``old_str`` is the buggy lines (widened until
unique in the file), and submits: it must score 1.0 on every task. ``noop`` must score 0.0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agora.agent import Agent
from agora.envs.swe.bug_fix.patches import apply_patch, changed_paths
from agora.envs.swe.bug_fix.tasks import Task, buggy_tree, load_tasks

SUBMIT = json.dumps({"name": "submit", "arguments": {}})
_TASKS: dict[str, dict[str, Task]] = {}


def find_task(source: str, instance_id: str) -> Task:
    """The task `instance_id` of a task source (sources are read once per process)."""
    if source not in _TASKS:
        _TASKS[source] = {t.instance_id: t for t in load_tasks(source)}
    return _TASKS[source][instance_id]


def _call(name: str, **arguments: Any) -> str:
    return json.dumps({"name": name, "arguments": arguments})


def revert_edits(task: Task) -> list[dict[str, str]]:
    """``edit`` arguments that turn the buggy files back into the pristine ones (one per changed file)."""
    buggy = buggy_tree(task)
    pristine = apply_patch(buggy, task.patch, reverse=True)
    return [_edit(path, buggy[path].decode(), pristine[path].decode()) for path in changed_paths(task.patch)]


def _edit(path: str, buggy: str, pristine: str) -> dict[str, str]:
    old, new = buggy.splitlines(keepends=True), pristine.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    lo, hi_old, hi_new = head, len(old) - tail, len(new) - tail
    while buggy.count("".join(old[lo:hi_old])) != 1 or not "".join(old[lo:hi_old]):
        lo, hi_old, hi_new = max(0, lo - 1), min(len(old), hi_old + 1), min(len(new), hi_new + 1)
    return {"path": path, "old_str": "".join(old[lo:hi_old]), "new_str": "".join(new[lo:hi_new])}


class OracleAgent(Agent):
    """Reverts the injected bug with ``edit`` calls, then submits."""

    name = "oracle"

    def __init__(self, seed: int | None = None):
        self._plan: list[str] = []
        self._instance: str | None = None

    def reset(self, seed: int | None = None) -> None:
        """Forgets the last episode's plan."""
        self._plan, self._instance = [], None

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """The next edit of the plan, then ``submit``."""
        if info.get("instance_id") and info["instance_id"] != self._instance:
            self._instance = info["instance_id"]
            task = find_task(info["task_source"], self._instance)
            self._plan = [_call("edit", **edit) for edit in revert_edits(task)] + [SUBMIT]
        return self._plan.pop(0) if self._plan else SUBMIT


class NoopAgent(Agent):
    """Submits at once, changing nothing."""

    name = "noop"

    def __init__(self, seed: int | None = None):
        pass

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """Always ``submit``."""
        return SUBMIT
