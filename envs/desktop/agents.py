"""The desktop family's oracle: it replays the plan its template drew, through the env's own actions.

`DesktopOracle(env.unwrapped.task)` returns the task's oracle actions one by one (coordinates and keys
chosen from the known layout of each application); tests and the benchmark use it to prove every template
solvable. It is not an agent for training.
"""

from __future__ import annotations

from typing import Any

from agora.envs.desktop.templates import Task, answer


class DesktopOracle:
    """Plays a task's oracle plan; once the plan is spent it answers, ending the episode."""

    def __init__(self, task: Task):
        self.plan = list(task.oracle)

    def act(self, observation: Any = None) -> str:
        """The next action of the plan."""
        return self.plan.pop(0) if self.plan else answer("")
