"""Browser envs stay bounded and never leak Playwright errors: memory over 200 episodes, dropped envs, races, URLs."""

from __future__ import annotations

import asyncio
import gc
import os
import time

import pytest

import agora
from agora.envs.web.browser import CONTEXT_EPISODES, MAX_SPARE_CONTEXTS, get_pool

pytestmark = pytest.mark.browser


def _descendants(root: int) -> list[int]:
    """The browser's child processes (renderers, GPU, zygotes), found through /proc parent links."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parents[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        found += children
        frontier += children
    return found


def chromium_pss_mb() -> float:
    """Proportional set size of the browser and all its processes, in MB (shared pages split fairly)."""
    root = get_pool().browser_pid()
    assert root is not None
    total_kb = 0
    for pid in [root, *_descendants(root)]:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total_kb += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total_kb / 1024


EPISODES = 200
"""Episodes measured: eight context replacements (every `CONTEXT_EPISODES`), start and end both right after one."""
GROWTH_BOUND_MB = 60
"""The most Chromium's PSS may grow over `EPISODES` (see the test's docstring for why these two suffice)."""


@pytest.mark.slow
def test_memory_is_flat_over_200_episodes_of_one_env():
    """One reused shop env, 200 episodes: Chromium's PSS at the end is within 60 MB of the start.

    Before contexts were replaced every `CONTEXT_EPISODES` episodes, PSS grew by about 1.4 MB per
    episode (683 -> 1,528 MB over 600 episodes): 280 MB over these 200, almost five times the bound. The
    bound catches any steady leak of 0.3 MB per episode or more (the 500 episodes and 120 MB this test ran
    before caught 0.24 MB, at two and a half times the cost). Both readings are taken right after a context
    replacement (the warm-up and the run are whole multiples of `CONTEXT_EPISODES`), where PSS is steadiest:
    read every 25 episodes over 500 (2026-12-07), it stayed within 9 MB of its start (245 to 262 MB).
    """
    assert EPISODES % CONTEXT_EPISODES == 0
    env = agora.make("web/shop.buy-v0")
    try:
        for seed in range(2 * CONTEXT_EPISODES):  # warm up: caches, the first context replacement
            env.reset(seed=seed)
        gc.collect()
        start = chromium_pss_mb()
        for seed in range(EPISODES):
            obs, info = env.reset(seed=1000 + seed)
            obs, reward, terminated, truncated, info = env.step("scroll('down')")
            assert "error" not in info and "infra_error" not in info, info
        end = chromium_pss_mb()
    finally:
        env.close()
    print(f"Chromium PSS over {EPISODES} episodes: {start:.0f} MB -> {end:.0f} MB")
    assert end - start < GROWTH_BOUND_MB, (start, end)


def open_contexts() -> int:
    """Browser contexts open in the shared Chromium (each holds at least one renderer process)."""
    pool = get_pool()

    async def count() -> int:
        return len((await pool.browser()).contexts)

    return pool.run(count())


@pytest.mark.slow
def test_envs_dropped_without_close_give_their_contexts_back():
    keep = agora.make("web/miniwob.click-button-v0")  # keeps the browser up between the counts
    keep.reset(seed=0)
    before = open_contexts()
    envs = [agora.make("web/miniwob.click-button-v0") for _ in range(12)]
    for seed, env in enumerate(envs):
        env.reset(seed=seed)
    assert open_contexts() >= before + 12
    del envs, env
    gc.collect()
    bound = before + MAX_SPARE_CONTEXTS  # closed contexts are kept for the next env, a few at most
    deadline = time.monotonic() + 60  # closing runs on the browser's loop, after the drop (slow when loaded)
    while time.monotonic() < deadline and open_contexts() > bound:
        time.sleep(0.2)
    after = open_contexts()
    keep.close()
    assert after <= bound, (before, after)  # not 12 more contexts and their renderers


@pytest.mark.slow
def test_shop_allow_list_normalises_before_checking():
    env = agora.make("web/shop.buy-v0")
    env.reset(seed=0)
    try:
        for url in (
            "/../../wob/miniwob/click-button.html",
            "/%2e%2e/%2e%2e/wob/miniwob/click-button.html",
            "/..\\..\\wob/miniwob/click-button.html",
            "cart/%2E%2E/%2E%2E/%2E%2E/wob/",
        ):
            obs, _, _, _, info = env.step(f"goto({url!r})")
            assert "outside" in info.get("error", ""), (url, obs[:300])
            assert "Page: /" in obs and "wob" not in obs.split("\n")[1]
        obs, _, _, _, info = env.step('goto("/cart")')
        assert "Page: /cart" in obs and "error" not in info
    finally:
        env.close()


@pytest.mark.slow
def test_submitting_with_enter_then_resetting_never_raises():
    """A submit or Enter navigates under the next read (Execution context was destroyed), and a reset right after
    aborts that navigation (net::ERR_ABORTED): both are absorbed, never raised."""
    from agora.envs.web.miniwob.agents import element_id

    env = agora.make("web/shop.buy-v0")
    try:
        for seed in range(6):
            obs, _ = env.reset(seed=seed)
            box = element_id(obs, "textbox")
            obs, _, _, _, info = env.step(f'type({box}, "mug")')
            obs, _, _, truncated, info = env.step('press("Enter")')
            assert "infra_error" not in info and not truncated, info
            assert obs.splitlines()[1].startswith("Page: /search"), "the step after Enter showed the old page"
        env.reset(seed=0)
    finally:
        env.close()


def test_the_observation_after_a_submit_waits_for_the_next_page():
    """Chromium starts a form's navigation in a later task, so right after the submit nothing is in flight; the
    settle still waits for the results page (before, the agent saw the old page after Enter about one step in four
    under load). A submit the page cancels is not marked; one whose answer keeps the document (204) is waited for
    until the settle's timeout and then forgotten."""
    from agora.envs.web.browser import LEAVING_CHECK_JS

    env = agora.make("web/shop.buy-v0")
    try:
        env.reset(seed=0)
        tab, pool = env.unwrapped._tab, get_pool()
        submit = "() => { document.querySelector('form').requestSubmit(); return %s; }"
        # right after requestSubmit(): no request yet, but the document knows it is leaving
        assert pool.run(tab.page.evaluate(submit % f"({LEAVING_CHECK_JS})()")) is True
        pool.run(tab.settle())
        assert "/search?" in tab.page.url
        assert pool.run(tab.page.evaluate(LEAVING_CHECK_JS)) is False  # the new document starts clean

        cancel = "() => { document.querySelector('form').addEventListener('submit', (e) => e.preventDefault()); }"
        pool.run(tab.page.evaluate(cancel))
        assert pool.run(tab.page.evaluate(submit % f"({LEAVING_CHECK_JS})()")) is False

        async def no_content(route):
            await route.fulfill(status=204)

        env.reset(seed=1)
        pool.run(tab.page.route("**/search?*", no_content))
        try:
            pool.run(tab.page.evaluate(submit % "1"))
            pool.run(tab.settle())  # waits SETTLE_TIMEOUT_S for a load that never comes, then gives up
            assert "/search?" not in tab.page.url
            assert pool.run(tab.page.evaluate(LEAVING_CHECK_JS)) is False  # forgotten: the next settle is quick
        finally:
            pool.run(tab.page.unroute("**/search?*", no_content))
    finally:
        env.close()


def test_a_click_whose_page_answers_slowly_succeeds_and_shows_the_next_page():
    """A submit the server answers after 3.5 s (a CMS publishing under load took over 2 s): before, the click's own
    2 s wait for the navigation failed and the step reported an error although the change landed; now the click
    returns at once and the settle waits while the request is in flight, so the step shows the results page."""
    env = agora.make("web/shop.buy-v0")
    try:
        env.reset(seed=0)
        tab, pool = env.unwrapped._tab, get_pool()

        async def slow(route):
            await asyncio.sleep(3.5)
            await route.continue_()

        pool.run(tab.page.route("**/search?*", slow))
        try:
            obs, reward, terminated, truncated, info = env.step("click(9)")  # [9] button "Search"
        finally:
            pool.run(tab.page.unroute("**/search?*", slow))
        assert "error" not in info, info.get("error")
        assert obs.splitlines()[1].startswith("Page: /search?")
    finally:
        env.close()


def test_a_navigation_of_the_last_episode_that_lands_after_the_reset_is_undone(monkeypatch):
    """Chromium can commit the last episode's submit after the next reset's page has loaded (seen about once in
    200 resets under load); the reset then starts again. Here the stale navigation is started on purpose, once,
    right after the new page loads."""
    from agora.envs.web import browser

    env = agora.make("web/shop.buy-v0")
    try:
        env.reset(seed=0)
        stale = env.unwrapped.base_url + "search?q=mug"
        load, starts = browser.Tab.new_episode, []

        async def new_episode_then_stale_navigation(tab, url):
            page = await load(tab, url)
            starts.append(url)
            if len(starts) == 1:
                await page.evaluate("url => { window.location.assign(url); }", stale)
            return page

        monkeypatch.setattr(browser.Tab, "new_episode", new_episode_then_stale_navigation)
        obs, _ = env.reset(seed=1)
        assert len(starts) == 2, "the reset did not notice the stale navigation"
        assert obs.splitlines()[1] == "Page: /" and "session has ended" not in obs
        assert env.unwrapped._tab.on_start_page()
    finally:
        env.close()


@pytest.mark.slow
def test_a_browser_failure_in_a_step_is_an_infra_error():
    """Chromium dying under a step (TargetClosedError and the like) is infra_error, and the env recovers."""
    import signal

    env = agora.make("web/shop.buy-v0")
    try:
        env.reset(seed=0)
        os.kill(get_pool().browser_pid(), signal.SIGKILL)
        obs, reward, terminated, truncated, info = env.step("scroll('down')")
        assert info.get("infra_error") and truncated and reward == 0.0
        env.reset(seed=0)
        assert "error" not in env.step("scroll('down')")[4]
    finally:
        env.close()
