"""GUI tasks drawn on a canvas (``gui/canvas.<task>-v0``): no DOM, no accessible names, only pixels.

A 320x240 page draws its widgets on one ``<canvas>``, so an agent must read the screenshot.
Tasks: ``click-button`` (click the named button among several), ``dialog`` (answer a confirmation
dialog as told: agree or refuse), ``form`` (click each drawn text field, type its value, press Submit),
``slider`` (drag the knob until the drawn value reads the target, press Submit).

**Observation.** ``{"text": "Task: ..." (and "Error: ..."), "image": 240x320x3 uint8 screenshot}``.

**Actions.** ``click(x, y)``, ``double_click(x, y)``, ``drag(x1, y1, x2, y2)``, ``type("text")``
(into the focused field), ``key("Backspace")`` / ``key("ctrl+a")`` (clears the focused field),
``scroll(x, y, dy)``, ``noop()``; or JSON tool calls (specs in ``info["tools"]``).

**Reward.** On the step that ends the task: 1 for the right button, -1 for a wrong one; for
``form``, the fraction of fields holding the right text when Submit is pressed; for ``slider``,
1 at the target value and 0.1 less per unit off (0 from 10 off). 0 otherwise;
malformed or off-screen actions earn 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from agora.envs.gui.canvas.tasks import HEIGHT, TASKS, WIDTH, make_task
from agora.envs.web.base import BrowserEnv
from agora.envs.web.browser import Tab
from agora.envs.web.server import get_server


class CanvasEnv(BrowserEnv):
    """One canvas task (`task`: a key of `TASKS`), always in pixel mode."""

    default_viewport = (WIDTH, HEIGHT)

    def __init__(self, task: str = "click-button", render_mode: str | None = None):
        if task not in TASKS:
            raise ValueError(f"unknown canvas task {task!r}; choose one of {', '.join(TASKS)}")
        super().__init__(mode="pixel", viewport=(WIDTH, HEIGHT), render_mode=render_mode)
        self.task_name = task
        self.layout: dict[str, Any] = {}
        server = get_server()
        server.mount_static("gui-canvas", Path(__file__).parent)
        self._page_url = f"{server.origin}/gui-canvas/canvas.html"

    async def _astart(self, tab: Tab, seed: int) -> str:
        self.layout, instruction = make_task(self.task_name, seed)
        await tab.new_episode(f"{self._page_url}?spec={quote(json.dumps(self.layout))}")
        return instruction

    state_js = "() => [AGORA_REWARD, AGORA_DONE]"

    def _outcome(self, state: Any) -> tuple[float, bool]:
        reward, done = state
        return float(reward), bool(done)

    def __repr__(self) -> str:
        return f"<CanvasEnv {self.task_name}>"
