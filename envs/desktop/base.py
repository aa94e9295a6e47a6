"""`DesktopEnv`: a task on a real application under Xvfb in a Docker sandbox, seen as a screenshot plus text.

Each app's env (``envs/desktop/<app>/env.py``) is this class with its application and task templates. A
reset takes a clean container from the warm pool (the sandbox's reset killed every process and emptied the
home directory), writes the seed's files into the fresh home, starts Xvfb, openbox and the application,
and shows the screen. The agent acts with pixel coordinates and the keyboard (`actions`); ``answer("...")``
ends the episode and the template's grader scores it: the exact answer of a question task, or the state a
change task left (files, settings) read from inside the sandbox. ``accessibility_tree=True`` (or a number
of objects, at most 400) adds the apps' accessibility tree to the text (`agora.envs.desktop.display`).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agora.core import TextEnv
from agora.envs.desktop.actions import to_xdotool
from agora.envs.desktop.display import HEIGHT, HOME, TREE_MAX_OBJECTS, WIDTH, Desktop, Screen
from agora.envs.desktop.templates import APPS, State, Task, Template
from agora.envs.web.actions import Action, ActionError, action_help, parse_action, tool_specs
from agora.errors import EngineUnavailable, ResetNeeded, SandboxCrashed, SandboxError
from agora.limits import MAX_OBSERVATION_CHARS, action_problem, cap_text
from agora.sandbox.episode import SandboxedEnv
from agora.spaces import TextSpace, require_text_action, text_obs

MODE = "desktop"
WAIT_S = 1.0


def tree_objects(option: bool | int) -> int:
    """The most tree objects per look that `accessibility_tree` asks for: False 0 (no tree), True 400, or 1-400."""
    if isinstance(option, bool):
        return TREE_MAX_OBJECTS if option else 0
    if not isinstance(option, int) or not 1 <= option <= TREE_MAX_OBJECTS:
        raise ValueError(f"accessibility_tree must be True, False or a number of objects from 1 to {TREE_MAX_OBJECTS}")
    return option


def answers_match(given: str, expected: str) -> bool:
    """Exact answers compare case- and space-insensitively, numbers by value."""
    a, b = " ".join(given.split()).casefold(), " ".join(expected.split()).casefold()
    if a == b:
        return True
    try:
        return abs(float(a) - float(b)) < 1e-6
    except ValueError:
        return False


class DesktopEnv(SandboxedEnv, TextEnv):
    """One task template of one desktop application (see the module docs)."""

    app: ClassVar[str] = ""
    templates: ClassVar[dict[str, Template]] = {}
    invalid_action_reward: ClassVar[float] = 0.0
    sandbox_defaults: ClassVar[dict[str, Any]] = {
        "image": "agora-sandbox-desktop:latest",
        "memory_mb": 600,
        "pids": 256,
        "disk_mb": 64,
        "timeout_s": 30.0,
        "max_output_bytes": 4 << 20,
    }

    def __init__(
        self,
        template: str = "",
        backend: str = "docker",
        render_mode: str | None = None,
        accessibility_tree: bool | int = False,
        **kwargs: Any,
    ):
        if template not in self.templates:
            raise ValueError(f"unknown {self.app} template {template!r}; choose one of {', '.join(self.templates)}")
        super().__init__(backend, render_mode, **kwargs)
        self.tree_objects = tree_objects(accessibility_tree)
        self.template = self.templates[template]
        self.observation_space = spaces.Dict(
            {"text": TextSpace(), "image": spaces.Box(0, 255, (HEIGHT, WIDTH, 3), np.uint8)}
        )
        self.task: Task | None = None
        self._desktop: Desktop | None = None
        self._screen: Screen | None = None

    # ------------------------------------------------------------------ gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Starts an episode: a fresh desktop with the seed's files and the application open."""
        super(TextEnv, self).reset(seed=seed)
        self.task = self.template.make(int(self.np_random.integers(2**31 - 1)))
        self.sandbox.new_episode()
        self._needs_reset = True
        for attempt in range(2):  # a sandbox that failed to start a desktop is replaced once
            try:
                self._start(self.task)
                break
            except SandboxError as e:
                warnings.warn(f"desktop start failed, retrying in a new sandbox: {e}", RuntimeWarning, stacklevel=2)
                self.sandbox.close()
                if attempt == 1:
                    raise
        self._needs_reset = False
        return self._observe(), self._info()

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Plays one action; a malformed one gives an error observation and `invalid_action_reward`."""
        if self._needs_reset:
            raise ResetNeeded(f"{type(self).__name__}.step() needs an episode: call env.reset() first.")
        require_text_action(action)
        try:
            problem = action_problem(action, self.action_space.max_length)
            if problem:
                raise ActionError(problem)
            parsed = parse_action(action, MODE)
            if parsed.name == "answer":
                return self._finish(parsed.args["text"])
            error = self._perform(parsed)
        except ActionError as e:
            return self._observe(str(e)), self.invalid_action_reward, False, False, self._info(str(e))
        except SandboxError as e:
            return self._infra_failure(str(e))
        return self._observe(error), 0.0, False, False, self._info(error)

    # ------------------------------------------------------------------ internals
    def _start(self, task: Task) -> None:
        box = self.sandbox.get()
        box.exec(f"mkdir -p {HOME}", keep_processes=True)
        for path, data in task.files.items():
            box.write_file(f"{HOME}/{path}", data)
        app = APPS[self.app]
        self._desktop = Desktop(box, tree_objects=self.tree_objects)
        self._desktop.start(app.command.format(file=f"{HOME}/{task.open_file}"), app.window_class, app.pointer)
        self._screen = self._desktop.look()

    def _perform(self, action: Action) -> str | None:
        """Runs the action and reads the screen; returns the error the agent should see (its fault), or None."""
        calls = [f"sleep {WAIT_S}"] if action.name == "wait" else to_xdotool(action, WIDTH, HEIGHT)
        error, self._screen = self._desktop.step(calls)
        return f"{action.name}: {error}" if error else None

    def _finish(self, text: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        task = self.task
        if task.answer is not None:
            reward = float(answers_match(text, task.answer))
        else:
            if task.close_app:
                app = APPS[self.app]
                self._desktop.close_app(app.window_class, app.process)
            box = self.sandbox.get()
            state = State(lambda path: _read_or_none(box, path), lambda cmd: box.exec(cmd, keep_processes=True).stdout)
            reward = float(task.check(state))
        self._needs_reset = True
        self.sandbox.new_episode()
        return self._observe(), reward, True, False, self._info()

    def _infra_failure(self, message: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        self._needs_reset = True
        self.sandbox.close()  # a sandbox whose desktop failed is not trusted again
        self._screen = None
        info = {**self._info(), "infra_error": message}
        return self._observe(f"infrastructure failure: {message}"), 0.0, False, True, info

    def _observe(self, error: str | None = None) -> dict[str, Any]:
        lines = [f"Task: {self.task.instruction}" if self.task else "Task: (none)"]
        if self._screen is not None:
            lines.append(self._screen.summary())
        if error:
            lines.append(f"Error: {error}")
        text = text_obs(cap_text("\n".join(lines), MAX_OBSERVATION_CHARS))
        self._last_observation = text
        image = self._screen.image if self._screen is not None else np.zeros((HEIGHT, WIDTH, 3), np.uint8)
        return {"text": text, "image": np.array(image, dtype=np.uint8, copy=True)}

    def _info(self, error: str | None = None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "instructions": self._instructions(),
            "tools": tool_specs(MODE),
            "task": self.task.instruction if self.task else "",
        }
        if error:
            info["error"] = error
        return info

    def _instructions(self) -> str:
        tree = (
            " The text also lists the accessibility tree: one object a line, its role, name and screen extents"
            " (x, y, width, height); click inside an object's extents to press it."
            if self.tree_objects
            else ""
        )
        return (
            f"You operate a Linux desktop ({WIDTH}x{HEIGHT} pixels) running {APPS[self.app].description}.\n"
            f"Each turn, reply with exactly one action:\n{action_help(MODE)}\n"
            'Actions may also be JSON tool calls: {"name": "click", "arguments": {...}}.\n'
            f"Coordinates are pixels of the screenshot (x right, y down).{tree} Your home directory is "
            f'{HOME}. When the task is done, reply answer("...") with the answer, or answer("") after a change.'
        )

    def render(self) -> Any:
        """The last observation's text, in ansi mode."""
        return self._last_observation if self.render_mode == "ansi" else None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.app}.{self.template.name}>"


def _read_or_none(box: Any, path: str) -> bytes | None:
    """The file's bytes, or None when it does not exist; a dead sandbox still raises (an infra error, not a 0)."""
    try:
        return box.read_file(path)
    except (SandboxCrashed, EngineUnavailable):
        raise
    except SandboxError:
        return None
