"""`BrowserEnv`: the base of web (text mode) and GUI (pixel mode) envs over the shared browser pool.

A subclass says how an episode starts (`_astart`: load the task page for a seed, return the task
text) and how it is scored (`state_js`, a page function read with each observation, and
`_outcome`, which turns its result into the reward and whether the episode is over). The base does
the rest: the action grammar, executing actions with real input events, the observation (an
accessibility-tree rendering in text mode; a screenshot in pixel mode), a virtual clock that moves
by `settle_ms` after each action (so timers and animations repeat exactly), and turning a dead
browser into ``info["infra_error"]`` on a truncated episode instead of a score.

Every reset loads the task page afresh, except one case: when the page is still exactly as the
last reset left it for the same episode seed (no action reached the browser since, and the
virtual clock has not moved), resetting to that seed again returns the same observation without a
reload, since the reload would rebuild the identical page.
"""

from __future__ import annotations

import asyncio
import io
import re
import weakref
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agora.core import TextEnv
from agora.envs.web.actions import Action, ActionError, action_help, parse_action, tool_specs
from agora.envs.web.browser import Tab, Viewport, get_pool, navigated
from agora.errors import BrowserCrashed, BrowserError, ResetNeeded
from agora.limits import MAX_OBSERVATION_CHARS, action_problem, cap_text
from agora.spaces import TextSpace, require_text_action, text_obs

MODES = ("text", "pixel")
NAVIGATION_RETRIES = 2
"""Times an observation is read again when the page navigated under it (after a submit or Enter)."""
KEY_NAMES = {
    "ctrl": "Control",
    "control": "Control",
    "shift": "Shift",
    "alt": "Alt",
    "cmd": "Meta",
    "meta": "Meta",
    "enter": "Enter",
    "return": "Enter",
    "esc": "Escape",
    "escape": "Escape",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Delete",
    "space": "Space",
    "up": "ArrowUp",
    "down": "ArrowDown",
    "left": "ArrowLeft",
    "right": "ArrowRight",
    "home": "Home",
    "end": "End",
    "pageup": "PageUp",
    "pagedown": "PageDown",
}
SCROLL_PX = {"up": (0, -200), "down": (0, 200), "left": (-200, 0), "right": (200, 0)}


@cache
def snapshot_js() -> str:
    """The page-side renderer of the accessibility-tree text (see snapshot.js)."""
    return (Path(__file__).with_name("snapshot.js")).read_text()


class AgentActionFailed(Exception):
    """The browser refused a well-formed action (no such element, not a text field, ...)."""


class BrowserEnv(TextEnv):
    """A task in a real headless Chromium, seen as text (``mode="text"``) or pixels (``mode="pixel"``)."""

    invalid_action_reward: ClassVar[float] = 0.0
    settle_ms: ClassVar[int] = 208
    """Virtual milliseconds that pass after each action (timers, delays, animations run)."""
    snapshot_root: ClassVar[str | None] = None
    snapshot_skip: ClassVar[tuple[str, ...]] = ()
    default_viewport: ClassVar[tuple[int, int]] = (800, 600)

    def __init__(self, mode: str = "text", viewport: tuple[int, int] | None = None, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        width, height = viewport or self.default_viewport
        self.viewport = Viewport(int(width), int(height))
        if mode == "pixel":
            self.observation_space = spaces.Dict(
                {
                    "text": TextSpace(),
                    "image": spaces.Box(0, 255, (self.viewport.height, self.viewport.width, 3), np.uint8),
                }
            )
        self._tab: Tab | None = None
        self._task = ""
        self._last_obs: dict[str, Any] = {}
        self._pristine: int | None = None
        """The episode seed whose freshly started page is still untouched (reset to it needs no reload)."""
        self._pristine_obs: dict[str, Any] = {}

    # ------------------------------------------------------------------ subclass hooks
    async def _astart(self, tab: Tab, seed: int) -> str:
        """Loads the task for `seed` into the tab; returns the task text."""
        raise NotImplementedError

    state_js: ClassVar[str] = "() => null"
    """A page function whose result (read with each observation) `_outcome` scores."""

    def _outcome(self, state: Any) -> tuple[float, bool]:
        """The reward of the last action and whether the episode is over, from `state_js`'s result."""
        raise NotImplementedError

    def _answer(self, text: str) -> tuple[float, bool] | str:
        """Scores ``answer(text)``; returns an error string when the task takes no answer."""
        return "this task takes no answer(); solve it on the page"

    def allowed_url(self, url: str) -> str | None:
        """The absolute URL `goto(url)` may open, or None when it lies outside the task's origins."""
        return None

    def _page_label(self, page: Any) -> str | None:
        """A line saying where the agent is (e.g. the page path), or None."""
        return None

    def _instructions(self) -> str:
        return (
            f"You operate a web page in a browser to complete a task.\n"
            f"Each turn, reply with exactly one action:\n{action_help(self.mode)}\n"
            f'Actions may also be JSON tool calls: {{"name": "click", "arguments": {{...}}}}.\n'
            + (
                'Elements are listed as [id] role "name" attributes; use the id in your action.'
                if self.mode == "text"
                else "Coordinates are pixels of the screenshot (x right, y down)."
            )
        )

    # ------------------------------------------------------------------ gymnasium API
    def _reset(self, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Starts an episode (`TextEnv.reset` has seeded `np_random`): a fresh page for the task drawn from it."""
        episode_seed = int(self.np_random.integers(2**31 - 1))
        pool = get_pool()
        if self._tab is None:
            self._tab = Tab(pool, self.viewport)
            # an env dropped without close() still gives its context back (its renderer process exits)
            self._finalizer = weakref.finalize(self, _release_tab, pool, self._tab)
        if self._pristine == episode_seed and self._tab.alive():
            obs = dict(self._pristine_obs)  # the page is exactly as this reset would leave it
        else:
            try:
                obs = pool.run(self._areset(episode_seed))
            except BrowserError:  # the browser died, or a navigation was aborted: once more, on a fresh context
                pool.run(self._tab.refresh())
                obs = pool.run(self._areset(episode_seed))
        self._pristine, self._pristine_obs = episode_seed, dict(obs)
        return obs, self._info()

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Plays one action; a malformed one gives an error observation and `invalid_action_reward`."""
        if self._needs_reset:
            raise ResetNeeded(f"{type(self).__name__}.step() needs an episode: call env.reset() first.")
        require_text_action(action)
        problem = action_problem(action, self.action_space.max_length)
        try:
            if problem:
                raise ActionError(problem)
            parsed = parse_action(action, self.mode)
        except ActionError as e:
            return self._reply(str(e), self.invalid_action_reward, False)
        self._pristine = None  # the page may change from here on
        try:
            obs, reward, terminated, error = get_pool().run(self._astep(parsed))
        except BrowserError as e:  # crashed, or a browser failure that is not the agent's fault
            return self._infra_failure(str(e))
        if terminated:
            self._needs_reset = True
        return self._present(obs), float(reward), terminated, False, self._info(error)

    def close(self) -> None:
        """Releases the env's browser context (the shared browser stays up for other envs)."""
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer.detach()
        if self._tab is not None:
            try:
                get_pool().run(self._tab.close(), timeout_s=10)
            except Exception:  # closing after a crash or at interpreter exit: nothing left to free
                pass
            self._tab = None
        super().close()

    # ------------------------------------------------------------------ internals
    def _info(self, error: str | None = None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "instructions": self._instructions(),
            "tools": tool_specs(self.mode),
            "task": self._task,
        }
        if error:
            info["error"] = error
        return info

    def _reply(self, error: str, reward: float, terminated: bool) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """An observation that repeats the last page state with `error` under it."""
        obs = dict(self._last_obs)
        obs["error"] = error
        return self._present(obs), reward, terminated, False, self._info(error)

    def _infra_failure(self, message: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        self._needs_reset, self._pristine = True, None
        obs = {"text": "", "image": None, "error": f"infrastructure failure: {message}"}
        info = {**self._info(), "infra_error": message}
        return self._present(obs), 0.0, False, True, info

    def _present(self, obs: dict[str, Any]) -> Any:
        """The agent's observation of a page state: task, label, page text and error (capped), plus pixels."""
        self._last_obs = obs
        lines = [f"Task: {self._task}"] + ([obs["label"]] if obs.get("label") else [])
        if self.mode == "text" and obs.get("text"):
            lines.append(obs["text"])
        if obs.get("error"):
            lines.append(f"Error: {obs['error']}")
        text = text_obs(cap_text("\n".join(lines), MAX_OBSERVATION_CHARS))
        self._last_observation = text
        if self.mode == "text":
            return text
        image = obs.get("image")
        if image is None:
            image = np.zeros((self.viewport.height, self.viewport.width, 3), np.uint8)
        return {"text": text, "image": image.copy()}  # a new array each time: callers keep them

    async def _areset(self, seed: int) -> dict[str, Any]:
        tab = self._tab
        try:
            for attempt in range(NAVIGATION_RETRIES + 1):
                self._task = await self._astart(tab, seed)
                obs = await self._observe(tab.page, reset_ids=True)
                # The last episode's page can navigate after this one's start has loaded: a submit or Enter
                # whose request Chromium sent before the reset commits after it. Then start again.
                if tab.on_start_page() or attempt == NAVIGATION_RETRIES:
                    return obs
            raise AssertionError("unreachable")
        except BrowserCrashed:
            raise
        except Exception as e:
            if not tab.alive():
                raise BrowserCrashed(str(e)) from e
            raise BrowserError(f"{type(self).__name__} could not start an episode: {e}") from e

    async def _astep(self, action: Action) -> tuple[dict[str, Any], float, bool, str | None]:
        tab = self._tab
        tab.check_alive()
        page = tab.page
        try:
            result = await self._perform(page, action)
            if not isinstance(result, tuple):
                await tab.advance(self.settle_ms)
                await _wait_loaded(page)
            obs = await self._observe(page)
            # an answer() scores the episode itself; otherwise the page's state does
            error, (reward, terminated) = (
                (None, result) if isinstance(result, tuple) else (result, self._outcome(obs["state"]))
            )
        except AgentActionFailed as e:
            error, reward, terminated = str(e), self.invalid_action_reward, False
            obs = await self._observe(page)
        except BrowserError:
            raise
        except Exception as e:
            if not tab.alive():
                raise BrowserCrashed(f"{type(e).__name__}: {_first_line(e)}") from e
            raise BrowserError(f"the browser failed during the step: {type(e).__name__}: {_first_line(e)}") from e
        obs["error"] = error
        return obs, reward, terminated, error

    async def _perform(self, page: Any, action: Action) -> Any:
        """Executes `action`; returns None, an error string (agent's fault) or an answer's score."""
        if action.name == "answer":
            return self._answer(action.args["text"])
        if action.name == "noop":
            return None
        if action.name == "goto":
            url = self.allowed_url(action.args["url"])
            if url is None:
                return f"goto: {action.args['url']!r} is outside this task's site"
            await page.goto(url, wait_until="load")
            return None
        perform = _text_action if self.mode == "text" else _pixel_action
        try:
            return await perform(self, page, action)
        except AgentActionFailed:
            raise
        except Exception as e:
            if not self._tab.alive():
                raise
            raise AgentActionFailed(f"{action.name} failed: {_first_line(e)}") from e

    async def _observe(self, page: Any, reset_ids: bool = False) -> dict[str, Any]:
        """Reads the page; a navigation that replaced the document meanwhile (a submit, Enter) is waited out."""
        for attempt in range(NAVIGATION_RETRIES + 1):
            try:
                return await self._read_page(page, reset_ids)
            except Exception as e:
                if attempt == NAVIGATION_RETRIES or not navigated(e):
                    raise
                await _wait_loaded(page)
        raise AssertionError("unreachable")

    async def _read_page(self, page: Any, reset_ids: bool) -> dict[str, Any]:
        await self._tab.settle()
        obs: dict[str, Any] = {"label": self._page_label(page)}
        if self.mode == "text":
            opts = {"root": self.snapshot_root, "skip": list(self.snapshot_skip), "reset": reset_ids}
            read = f"(o) => [({snapshot_js()})(o), ({self.state_js})()]"
            lines, obs["state"] = await page.evaluate(read, opts)
            obs["text"] = "\n".join(lines) if lines else "(the page is empty)"
        else:
            png = await page.screenshot(type="png", animations="disabled", caret="hide")
            obs["image"] = _decode_png(png)
            obs["state"] = await page.evaluate(self.state_js)
        return obs


async def _wait_loaded(page: Any) -> None:
    await page.wait_for_load_state("load")


def _release_tab(pool: Any, tab: Tab) -> None:
    """Gives a dropped env's context back without waiting (runs at garbage collection, from any thread)."""
    try:
        asyncio.run_coroutine_threadsafe(tab.close(), pool._loop)
    except Exception:  # the pool's loop is gone (interpreter exit): the browser goes with it
        pass


def _first_line(e: BaseException) -> str:
    """The first line of a Playwright error without its ``Locator.fill: Error:`` prefixes."""
    text = str(getattr(e, "message", None) or e).strip()
    line = text.splitlines()[0] if text else type(e).__name__
    return re.sub(r"^(\w+\.\w+: )?(Error: )?", "", line)[:200]


def _decode_png(png: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


async def _text_action(env: BrowserEnv, page: Any, action: Action) -> str | None:
    args = action.args
    if action.name == "press":
        await page.keyboard.press(_key(args["key"]))
        return None
    if action.name == "scroll":
        dx, dy = SCROLL_PX[args["direction"]]
        await page.mouse.wheel(dx, dy)
        return None
    target = page.locator(f'[data-agora-id="{args["id"]}"]')
    if await target.count() == 0:
        return f"{action.name}: there is no element [{args['id']}] on the page"
    if action.name == "click":
        await target.click(force=True, timeout=2000, no_wait_after=True)  # `settle` awaits the page
    elif action.name == "type":
        await target.fill(args["text"], force=True, timeout=2000)
    elif action.name == "select":
        await target.select_option(label=args["option"], force=True, timeout=2000, no_wait_after=True)
    return None


async def _pixel_action(env: BrowserEnv, page: Any, action: Action) -> str | None:
    args, mouse = action.args, page.mouse
    points = [(args[x], args[y]) for x, y in (("x", "y"), ("x1", "y1"), ("x2", "y2")) if x in args]
    for x, y in points:
        if not (0 <= x < env.viewport.width and 0 <= y < env.viewport.height):
            return f"{action.name}: ({x}, {y}) is outside the {env.viewport.width}x{env.viewport.height} screen"
    if action.name == "click":
        await mouse.click(args["x"], args["y"])
    elif action.name == "double_click":
        await mouse.dblclick(args["x"], args["y"])
    elif action.name == "drag":
        await mouse.move(args["x1"], args["y1"])
        await mouse.down()
        await mouse.move(args["x2"], args["y2"], steps=5)
        await mouse.up()
    elif action.name == "type":
        await page.keyboard.type(args["text"])
    elif action.name == "key":
        await page.keyboard.press(_key(args["keys"]))
    elif action.name == "scroll":
        await mouse.move(args["x"], args["y"])
        await mouse.wheel(0, args["dy"])
    return None


def _key(keys: str) -> str:
    """Normalizes ``ctrl+a`` / ``Enter`` / ``shift+tab`` to Playwright's ``Control+a`` form."""
    parts = [p.strip() for p in keys.split("+")]
    if not keys.strip() or any(not p for p in parts):
        raise AgentActionFailed(f"key: {keys!r} is not a key name such as Enter or ctrl+a")
    return "+".join(KEY_NAMES.get(p.lower(), p if len(p) == 1 else p[:1].upper() + p[1:]) for p in parts)
