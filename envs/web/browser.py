"""The browser pool: one headless Chromium per process, one context per env, on a private event loop.

Playwright's async API runs on a daemon thread that the pool owns, so synchronous Gymnasium envs
(and many of them from many threads) share one browser process: `BrowserPool.run(coro)` submits a
coroutine to that loop and waits for its result. Each env holds a `Tab` (its own browser context and
page); contexts are kept between episodes, handed to the next env when an env closes (a few per
viewport size), and rebuilt only when the browser was replaced.

The browser is Debian's ``chromium-headless-shell`` (else ``chromium``) driven through ``executable_path``;
nothing is downloaded.
When the browser dies, the pool notices (``disconnected``), the env reports the episode as an
infrastructure failure, and the next `Tab.ensure` launches a fresh browser.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from agora._optional import require
from agora.errors import BrowserCrashed, BrowserError, BrowserNotFound
from agora.lazy import ProcessWide

T = TypeVar("T")

CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--font-render-hinting=none",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
)
CHROMIUM_CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
"""Searched on PATH in this order. Debian's ``chromium-headless-shell`` (the old headless mode, the one Playwright
itself uses headless) renders the same pages with about a third less CPU than the full browser run headless
(per page load of the help desk: about 150 ms of browser CPU instead of 250 ms). Its ``/usr/bin`` wrapper is a
shell that stays the browser's parent (`BrowserPool.browser_pid` looks past it)."""
EPOCH = datetime(2024, 3, 15, 10, 0, tzinfo=timezone.utc)
"""The wall-clock time every episode starts at (pages see a virtual clock; see `Tab.new_episode`)."""
FRAME_MS = 16
"""The fake clock runs animation frames every 16 ms; advancing in multiples keeps their phase fixed."""
CALL_TIMEOUT_S = 60.0
CONTEXT_EPISODES = 25
"""Episodes a context serves before a fresh one replaces it: what a page leaves behind (history entries,
caches, a leaking script) is bounded, so Chromium's memory stays flat over thousands of episodes."""
MAX_SPARE_CONTEXTS = 4
"""Contexts of closed envs kept per viewport size for the next env (making one takes 100+ ms)."""
SETTLE_TIMEOUT_S = 2.0
NAVIGATION_TIMEOUT_S = 20.0
"""How long `Tab.settle` waits for a page a submit asked for while its request is in flight (a slow server)."""
PAGE_TIMEOUT_MS = 5000
"""How long a page's navigations and waits may take by default (an env may set its pages' own; see `Tab.close`)."""


def navigated(error: BaseException) -> bool:
    """True for Playwright's errors that mean the page navigated under the call (not a dead browser)."""
    text = str(error)
    return any(s in text for s in ("Execution context was destroyed", "navigat", "Cannot find context"))


def find_chromium() -> str:
    """The path of the Chromium executable: ``$AGORA_CHROMIUM``, else the first of `CHROMIUM_CANDIDATES` on PATH."""
    explicit = os.environ.get("AGORA_CHROMIUM")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise BrowserNotFound(f"AGORA_CHROMIUM={explicit!r} is not an executable file.")
        return explicit
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise BrowserNotFound(
        "No Chromium found on PATH. Install Debian's browser with: "
        "sudo apt-get install chromium-headless-shell chromium (or set AGORA_CHROMIUM to a Chromium binary). "
        "agora never downloads a browser."
    )


class BrowserPool:
    """One Playwright driver and one Chromium process, shared by every web/GUI env of the process."""

    def __init__(self, executable: str | None = None):
        self.executable = executable or find_chromium()
        self.generation = 0
        """Bumped each time a new browser process is launched; tabs of an older one are stale."""
        self._tag = f"--agora-pool={uuid.uuid4().hex}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="agora-browser", daemon=True)
        self._thread.start()
        self._playwright: Any = None
        self._browser: Any = None
        self._launch_lock: asyncio.Lock | None = None
        self._spares: dict[tuple[int, int], list[tuple[int, Any]]] = {}

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = CALL_TIMEOUT_S) -> T:
        """Runs `coro` on the pool's loop and returns its result (raises what it raises).

        A browser that does not answer within `timeout_s` is killed and `BrowserCrashed` raised,
        so a hung page costs one episode, never the process.
        """
        if threading.current_thread() is self._thread:
            raise BrowserError("BrowserPool.run() was called from the pool's own loop; await the coroutine.")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self.kill_browser()
            message = f"the browser did not answer within {timeout_s:g} s and was killed"
            raise BrowserCrashed(message) from None

    def kill_browser(self) -> None:
        """Kills the browser process (the next use launches a fresh one)."""
        pid = self.browser_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)

    async def browser(self) -> Any:
        """The live browser, launching one first when there is none or the last one died."""
        if self._launch_lock is None:
            self._launch_lock = asyncio.Lock()
        async with self._launch_lock:
            if self._browser is None or not self._browser.is_connected():
                await self._launch()
            return self._browser

    async def _launch(self) -> None:
        if self._playwright is None:
            async_api = require("playwright.async_api", "web")
            self._playwright = await async_api.async_playwright().start()
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.executable, headless=True, args=[*CHROMIUM_FLAGS, self._tag]
            )
        except Exception as e:
            raise BrowserError(
                f"Chromium at {self.executable} failed to start: {e}. Check that "
                "`chromium --headless --no-sandbox --dump-dom about:blank` works."
            ) from e
        self.generation += 1

    def take_spare(self, viewport: Viewport) -> Any:
        """A recycled (context, page, clock moved, episodes served) of this browser with `viewport`, or None."""
        spares = self._spares.get((viewport.width, viewport.height), [])
        while spares:
            generation, spare = spares.pop()
            if generation == self.generation and not spare[1].is_closed():
                return spare
        return None

    def put_spare(self, viewport: Viewport, spare: Any) -> bool:
        """Keeps a closed env's context for the next env; False when the pool already keeps enough."""
        spares = self._spares.setdefault((viewport.width, viewport.height), [])
        if len(spares) >= MAX_SPARE_CONTEXTS:
            return False
        spares.append((self.generation, spare))
        return True

    def browser_pid(self) -> int | None:
        """The process id of the current browser's main process (None when none runs).

        That is the innermost process launched with this pool's tag and no ``--type=`` (a wrapper script
        around the browser carries the same arguments).
        """
        found: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parent = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if self._tag.encode() in args and not any(a.startswith(b"--type=") for a in args):
                found[int(entry)] = parent
        inner = [pid for pid in found if pid not in found.values()]
        return inner[0] if inner else None

    def close(self) -> None:
        """Closes the browser and the Playwright driver, and stops the loop thread."""
        if not self._loop.is_running():
            return
        try:
            self.run(self._aclose(), timeout_s=10)
        except Exception:  # the browser may already be gone; stopping the loop still matters
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _aclose(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None


_POOL: ProcessWide[BrowserPool] = ProcessWide(close=BrowserPool.close)


def get_pool() -> BrowserPool:
    """The process-wide pool, created on first use and closed at interpreter exit."""
    return _POOL.get(BrowserPool)


@dataclass
class Viewport:
    """The page size in CSS pixels (and so the screenshot size in pixel mode)."""

    width: int
    height: int


HARDENING_JS = """
(() => { const add = () => { const s = document.createElement('style');
  s.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; ' +
    'caret-color: transparent !important; scroll-behavior: auto !important; }';
  (document.head || document.documentElement).appendChild(s); };
  if (document.documentElement) add(); else document.addEventListener('DOMContentLoaded', add); })();
"""
"""No CSS animations or transitions, no blinking caret: the same actions give the same pixels."""
RELATIVE_FRAMES_JS = """
(() => { const later = window.setTimeout, cancel = window.clearTimeout;
  window.requestAnimationFrame = (cb) => later(() => cb(performance.now()), 16);
  window.cancelAnimationFrame = (id) => cancel(id); })();
"""
"""Animation frames 16 virtual ms after each request (the fake clock's own frames keep a phase that
depends on real time between its install and pause, so they would differ between contexts)."""
SEEDED_RANDOM_JS = """
(() => { let s = 0x9e3779b9; Math.random = function () {
  s |= 0; s = s + 0x6D2B79F5 | 0; let t = Math.imul(s ^ s >>> 15, 1 | s);
  t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t; return ((t ^ t >>> 14) >>> 0) / 4294967296; }; })();
"""
"""Math.random is seeded before any page script runs, so load-time randomness repeats too."""
LEAVING_JS = """
(() => { window.addEventListener('submit', (e) => { const form = e.target, by = e.submitter;
    const method = (by && by.getAttribute('formmethod')) || form.getAttribute('method') || '';
    const target = (by && by.getAttribute('formtarget')) || form.getAttribute('target') || '';
    if (method.toLowerCase() !== 'dialog' && (target === '' || target === '_self')) window.__agoraSubmit = e; }, true);
  if (!window.navigation) return;
  navigation.addEventListener('navigate', (e) => {
    if (!e.destination.sameDocument) window.__agoraLeaving = true; }); })();
"""
"""Marks a document that has begun to navigate away: a form submitted and not cancelled (Chromium starts that
navigation in a later task, so nothing else shows it yet), a link, ``location.assign``. `Tab.settle` then
waits for the next page's load; without that the agent saw the old page after Enter about one step in four."""
LEAVING_CHECK_JS = (
    "() => { document.body && document.body.getBoundingClientRect(); const s = window.__agoraSubmit;"
    " return window.__agoraLeaving === true || (!!s && !s.defaultPrevented); }"
)
"""Forces a style and layout pass and says whether the document has begun to navigate away (see `LEAVING_JS`)."""
LEAVING_CLEAR_JS = "() => { window.__agoraLeaving = false; window.__agoraSubmit = null; }"
"""Forgets a navigation that never replaced the document (a 204 answer, a download)."""


class _PageWatch:
    """Counts one page's requests in flight and its loads (what `Tab.settle` waits on)."""

    def __init__(self, page: Any):
        self.page = page
        self.inflight = 0
        self.loads = 0
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)
        page.on("load", self._loaded)

    def _started(self, request: Any) -> None:
        self.inflight += 1

    def _ended(self, request: Any) -> None:
        self.inflight = max(0, self.inflight - 1)

    def _loaded(self, page: Any) -> None:
        self.loads += 1

    def detach(self) -> None:
        """Stops counting (the page goes back to the pool or is closed)."""
        self.page.remove_listener("request", self._started)
        self.page.remove_listener("requestfinished", self._ended)
        self.page.remove_listener("requestfailed", self._ended)
        self.page.remove_listener("load", self._loaded)


@dataclass
class _Standby:
    """The next episode's start page, loading (or loaded) in a second context of the tab (`Tab.prepare`)."""

    url: str
    cookies: list[dict[str, Any]]
    generation: int
    context: Any = None
    page: Any = None
    watch: _PageWatch | None = None
    episodes: int = 0
    task: asyncio.Task | None = None


class Tab:
    """An env's browser context and page; survives episodes and is rebuilt after a browser crash.

    With `prepare`, the tab also loads the next episode's start page in a second context while the current
    episode runs; the next `new_episode` with the same URL and cookies swaps it in instead of loading.
    """

    def __init__(self, pool: BrowserPool, viewport: Viewport):
        self.pool = pool
        self.viewport = viewport
        self.context: Any = None
        self.page: Any = None
        self._generation = -1
        self._clock_moved = False
        self._watch: _PageWatch | None = None
        self._standby: _Standby | None = None
        self._retired: tuple[Any, Any, int] | None = None
        """The last episode's context, page and episode count after a swap: the next `prepare` reuses them."""
        self.episodes = 0
        """Episodes started in the current context (a fresh one after `CONTEXT_EPISODES`)."""
        self.start_url: str | None = None
        """The URL the current episode started at (`new_episode`)."""

    @property
    def _inflight(self) -> int:
        return self._watch.inflight if self._watch is not None else 0

    @property
    def _loads(self) -> int:
        return self._watch.loads if self._watch is not None else 0

    async def ensure(self) -> Any:
        """The tab's page: a recycled context of a closed env, or a new one after a crash or at first."""
        browser = await self.pool.browser()
        if self.page is None or self._generation != self.pool.generation or self.page.is_closed():
            await self._discard()
            spare = self.pool.take_spare(self.viewport)
            if spare is not None:
                self.context, self.page, self._clock_moved, self.episodes = spare
            else:
                self.context, self.page = await _new_context(browser, self.viewport)
                self._clock_moved = False
            self._watch = _PageWatch(self.page)
            self._generation = self.pool.generation
        return self.page

    async def new_episode(
        self, url: str, cookies: list[dict[str, Any]] | None = None, timeout_ms: float | None = None
    ) -> Any:
        """Loads `url` afresh with the virtual clock's date back at `EPOCH`; returns the page.

        With `cookies` (Playwright's cookie dicts), the context's cookies are replaced by them first
        (the real web apps pick the episode's database by one); `timeout_ms` overrides the page's
        default navigation timeout for this load (a real app's server may queue many resets at once).
        When `prepare` was called with the same `url` and `cookies`, its page is swapped in instead
        (loaded the same way, ahead of time); if it failed, the page is loaded here as usual.
        """
        standby, self._standby = self._standby, None
        if standby is not None:
            if standby.url == url and standby.cookies == cookies and await self._standby_ready(standby):
                return self._swap_in(standby)
            await _close_standby(standby)
        if self.episodes >= CONTEXT_EPISODES:
            await self.refresh()
        page = await self.ensure()
        self.episodes += 1
        if cookies is not None:
            await self.context.clear_cookies()
            await self.context.add_cookies(cookies)
        if self._clock_moved:
            await self.context.clock.set_system_time(EPOCH)
            self._clock_moved = False
        self.start_url = url
        await page.goto(url, wait_until="load", **({"timeout": timeout_ms} if timeout_ms else {}))
        return page

    async def prepare(self, url: str, cookies: list[dict[str, Any]], timeout_ms: float | None = None) -> None:
        """Starts loading the next episode's start page in a second context, in the background.

        The context is the one the last swap retired (its page first goes to ``about:blank`` and its cookies
        are cleared, so nothing of that episode remains), else a recycled or new one. Failures are kept for
        `new_episode`, which then loads the page itself.
        """
        if self._standby is not None:
            await _close_standby(self._standby)
        standby = _Standby(url=url, cookies=list(cookies), generation=self.pool.generation)
        if self._retired is not None:  # owned by the standby from here on (closed with it)
            (standby.context, standby.page, standby.episodes), self._retired = self._retired, None
        standby.task = asyncio.get_running_loop().create_task(self._load_standby(standby, timeout_ms))
        self._standby = standby

    async def _load_standby(self, standby: _Standby, timeout_ms: float | None) -> None:
        if standby.context is not None and (standby.episodes >= CONTEXT_EPISODES or standby.page.is_closed()):
            context, standby.context = standby.context, None
            await _close_context(context)
        if standby.context is None:
            standby.context, standby.page = await _new_context(await self.pool.browser(), self.viewport)
            standby.episodes = 0
        else:
            await standby.page.goto("about:blank")  # stops the last episode's scripts and timers
        standby.watch = _PageWatch(standby.page)
        await standby.context.clear_cookies()
        await standby.context.add_cookies(standby.cookies)
        await standby.context.clock.set_system_time(EPOCH)
        kwargs = {"timeout": timeout_ms} if timeout_ms else {}
        await standby.page.goto(standby.url, wait_until="load", **kwargs)

    async def _standby_ready(self, standby: _Standby) -> bool:
        """Waits for the standby's load; False when it failed or belongs to a browser since replaced."""
        try:
            await standby.task
        except Exception:  # a failed load: the caller loads the page itself
            return False
        return standby.generation == self.pool.generation and not standby.page.is_closed()

    def _swap_in(self, standby: _Standby) -> Any:
        """Makes the loaded standby the current page; the old context is kept for the next `prepare`."""
        if self._watch is not None:
            self._watch.detach()
        if self.context is not None and self._generation == self.pool.generation:
            self._retired = (self.context, self.page, self.episodes)
        self.context, self.page, self._watch = standby.context, standby.page, standby.watch
        self.episodes, self._clock_moved, self._generation = standby.episodes + 1, False, standby.generation
        self.start_url = standby.url
        return self.page

    def on_start_page(self) -> bool:
        """Whether the page is still at the URL `new_episode` loaded (see `BrowserEnv._areset`)."""
        return self.page is not None and self.page.url == self.start_url

    async def settle(self, timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        """Waits (in real time) until the page has no request in flight and no navigation pending.

        Loading is the one thing the virtual clock does not control: an image that arrives after
        the observation would change it. Forcing layout first issues the requests that styles
        imply (e.g. CSS ``content: url(...)`` icons) before counting. A document that has begun
        to navigate away (Enter in a form, a click on a submit button) may not have issued the
        request yet, so the next page's load is awaited first; without that the agent saw the old
        page about one step in four under load. That wait lasts while a request is in flight (a
        slow server answering a form: a CMS publishing a page under load took over 2 s), up to
        `NAVIGATION_TIMEOUT_S`; a navigation with nothing in flight for `timeout_s` is forgotten.
        """
        loop = asyncio.get_running_loop()
        loads = self._loads
        while await self._evaluate_or_navigated(LEAVING_CHECK_JS, True):
            if not await self._await_load(loads, timeout_s):  # it stayed (a 204 answer, a download): forget it
                await self._evaluate_or_navigated(LEAVING_CLEAR_JS, None)
                break
            loads = self._loads
        deadline = loop.time() + timeout_s
        while self._inflight and loop.time() < deadline:
            await asyncio.sleep(0.002)
        if self._inflight == 0:
            return
        self._watch.inflight = 0  # a request that never ends (rare): do not wait for it again

    async def _await_load(self, loads: int, idle_s: float) -> bool:
        """Waits for a load after the `loads` counted so far; False after `idle_s` with no request in flight."""
        loop = asyncio.get_running_loop()
        start = idle_since = loop.time()
        while self._loads == loads:
            now = loop.time()
            if self._inflight:
                idle_since = now
            if now - idle_since >= idle_s or now - start >= NAVIGATION_TIMEOUT_S:
                return False
            await asyncio.sleep(0.002)
        return True

    async def _evaluate_or_navigated(self, js: str, if_navigated: Any) -> Any:
        """Runs `js` in the page; `if_navigated` when a navigation replaced the document during the call."""
        try:
            return await self.page.evaluate(js)
        except Exception as e:
            if not navigated(e):
                raise
            return if_navigated

    async def advance(self, ms: int) -> None:
        """Lets `ms` virtual milliseconds pass (a multiple of `FRAME_MS`): timers and frames run."""
        if ms % FRAME_MS:
            raise ValueError(f"advance() takes multiples of {FRAME_MS} ms (frame phase), got {ms}")
        self._clock_moved = True
        try:
            await self.context.clock.run_for(ms)
        except Exception:
            # A timer of the page threw (a bug of the page's own script, e.g. an app calling a function its
            # JavaScript lacks): a real browser logs it and runs the other timers on, and so does the clock.
            # Only a dead tab is a failure of ours.
            if not self.alive():
                raise

    def alive(self) -> bool:
        """False when the browser behind this tab died or was replaced."""
        browser = self.pool._browser
        return (
            self.page is not None
            and not self.page.is_closed()
            and browser is not None
            and browser.is_connected()
            and self._generation == self.pool.generation
        )

    def check_alive(self) -> None:
        """Raises `BrowserCrashed` when the tab's browser is gone."""
        if not self.alive():
            raise BrowserCrashed("the browser process died or its page was closed during the episode")

    async def refresh(self) -> None:
        """Throws the context away; the next `ensure` makes a new one (after a failed load, or periodically)."""
        await self._discard()

    async def _discard(self) -> None:
        self.episodes = 0
        await self._drop_extra()
        if self._watch is not None:
            self._watch.detach()
            self._watch = None
        context, self.context, self.page = self.context, None, None
        if context is not None:
            await _close_context(context)

    async def _drop_extra(self) -> None:
        """Closes the standby and the retired context (after a failure, and when the tab closes)."""
        standby, self._standby = self._standby, None
        if standby is not None:
            await _close_standby(standby)
        retired, self._retired = self._retired, None
        if retired is not None:
            await _close_context(retired[0])

    async def close(self) -> None:
        """Hands the context back to the pool for the next env (or closes it when the pool is full)."""
        await self._drop_extra()
        if not self.alive():
            await self._discard()
            return
        context, page, moved, episodes = self.context, self.page, self._clock_moved, self.episodes
        self.context = self.page = None
        self._watch.detach()
        self._watch = None
        try:
            await page.goto("about:blank")  # stops the last page's scripts and timers
            await context.clear_cookies()
        except Exception:  # a slow or dying browser: do not recycle, and never leave the context open
            await _close_context(context)
            return
        page.set_default_timeout(PAGE_TIMEOUT_MS)  # the next env starts from the default
        if not self.pool.put_spare(self.viewport, (context, page, moved, episodes)):
            await _close_context(context)


async def _close_standby(standby: _Standby) -> None:
    """Stops a standby's load (if still running) and closes its context."""
    if standby.task is not None and not standby.task.done():
        standby.task.cancel()
    if standby.task is not None:
        try:
            await standby.task
        except BaseException:  # cancelled or failed: the context goes either way
            pass
    if standby.context is not None:
        await _close_context(standby.context)


async def _close_context(context: Any) -> None:
    try:
        await context.close()
    except Exception:  # the browser is gone: so is the context
        pass


async def _new_context(browser: Any, viewport: Viewport) -> tuple[Any, Any]:
    """A context and page with the fixed viewport, locale, seeded randomness and a paused clock."""
    context = await browser.new_context(
        viewport={"width": viewport.width, "height": viewport.height},
        device_scale_factor=1,
        locale="en-US",
        timezone_id="UTC",
        reduced_motion="reduce",
    )
    await context.add_init_script(SEEDED_RANDOM_JS + HARDENING_JS + LEAVING_JS)
    # install() starts a running clock; pausing at a fixed later instant removes the real
    # time that passed in between, so timers and frames keep the same phase in every context
    await context.clock.install(time=EPOCH - timedelta(seconds=1))
    await context.clock.pause_at(EPOCH)
    await context.add_init_script(RELATIVE_FRAMES_JS)
    page = await context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return context, page
