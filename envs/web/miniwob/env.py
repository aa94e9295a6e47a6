"""MiniWoB++ tasks in a real headless Chromium (``web/miniwob.<task>-v0``; pixel mode: ``gui/miniwob.*``).

The task pages come from the ``miniwob`` PyPI package (its wheel ships the HTML and JS) and are
served by agora's local HTTP server on 127.0.0.1, never from the internet.

**Task.** The instruction line (MiniWoB's utterance) says what to do on a 160x210 page, e.g.
*Click on the "Ok" button.* The seed fixes the generated problem (``Math.seedrandom``), and the
page runs on a virtual clock that starts at the same instant each episode and moves 208 ms per
action, so the same seed and actions give the same pages.

**Observation (text mode).** ``Task: <utterance>`` and the page as an accessibility tree, one
element per line: ``[id] role "name" attributes`` (ids stay fixed while an element exists), plus
``Error: ...`` when the last action failed.  **Pixel mode:** ``{"text": task and error, "image":
160x210x3 screenshot}``.

**Actions (text).** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``noop()``; or JSON tool calls (specs in ``info["tools"]``).  **Pixel:**
``click(x, y)``, ``double_click(x, y)``, ``drag(x1, y1, x2, y2)``, ``type("text")``, ``key("ctrl+a")``,
``scroll(x, y, dy)``, ``noop()``.

**Reward.** MiniWoB's own raw reward (``WOB_RAW_REWARD_GLOBAL``: 1 for success, -1 for failure, some
tasks give partial credit in between) on the step that ends the task, 0 otherwise; no time penalty
(MiniWoB's 10-second timeout is off: agents think slowly). A malformed action earns 0 and changes
nothing. The episode is cut after the spec's ``max_turns`` (truncated).
"""

from __future__ import annotations

from typing import Any

from agora.envs.web.assets import miniwob_html_root, miniwob_tasks
from agora.envs.web.base import BrowserEnv
from agora.envs.web.browser import Tab
from agora.envs.web.server import get_server
from agora.errors import MissingDependency

START_JS = """(seed) => {
  core.EPISODE_MAX_TIME = 2147483647;
  Math.seedrandom(String(seed));
  core.startEpisodeReal();
  return [typeof WOB_TASK_READY === 'undefined' ? true : WOB_TASK_READY, core.getUtterance()];
}"""
READY_POLLS = 20


def _task_url(task: str) -> str:
    root = miniwob_html_root()
    if root is None:
        raise MissingDependency("miniwob", "web")
    server = get_server()
    server.mount_static("wob", root)
    return f"{server.origin}/wob/miniwob/{task}.html"


class MiniWoBEnv(BrowserEnv):
    """One MiniWoB++ task (`task` is the page name, e.g. ``click-button``)."""

    snapshot_skip = ("query", "reward-display", "sync-task-cover", "click-canvas")
    default_viewport = (160, 210)

    def __init__(
        self,
        task: str,
        mode: str = "text",
        viewport: tuple[int, int] | None = None,
        render_mode: str | None = None,
    ):
        known = miniwob_tasks()
        if known and task not in known:
            raise ValueError(f"unknown MiniWoB task {task!r}; the miniwob package ships {len(known)} tasks")
        super().__init__(mode=mode, viewport=viewport, render_mode=render_mode)
        self.task_name = task
        self._url = _task_url(task)

    async def _astart(self, tab: Tab, seed: int) -> str:
        page = await tab.new_episode(self._url)
        ready, utterance = await page.evaluate(START_JS, seed)
        for _ in range(READY_POLLS):
            if ready:
                break
            await tab.advance(96)
            ready, utterance = await page.evaluate("() => [WOB_TASK_READY, core.getUtterance()]")
        return str(utterance["utterance"] if isinstance(utterance, dict) else utterance)

    state_js = "() => [WOB_RAW_REWARD_GLOBAL, WOB_DONE_GLOBAL]"

    def _outcome(self, state: Any) -> tuple[float, bool]:
        raw, done = state
        return (float(raw), True) if done else (0.0, False)

    def __repr__(self) -> str:
        return f"<MiniWoBEnv {self.task_name} mode={self.mode}>"
