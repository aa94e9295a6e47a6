"""Web and GUI envs in a real headless Chromium: experts win, mistakes cost, crashes are infra errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import agora
from agora.envs.web.miniwob.agents import MINIWOB_EXPERTS, miniwob_plan
from agora.envs.web.shop.agents import ShopExpert
from agora.envs.web.shop.tasks import TEMPLATES, Order, score_order
from agora.errors import ResetNeeded

pytestmark = pytest.mark.browser


def play(env, actions):
    result = None
    for action in actions:
        result = env.step(action)
        assert not result[4].get("error"), (action, result[4]["error"], result[0])
    return result


@pytest.mark.parametrize("task", sorted(MINIWOB_EXPERTS))
def test_expert_solves_miniwob_task_through_actions(task: str) -> None:
    env = agora.make(f"web/miniwob.{task}-v0")
    try:
        obs, _ = env.reset(seed=4)
        _, reward, terminated, truncated, _ = play(env, miniwob_plan(task, obs))
        assert (reward, terminated, truncated) == (1.0, True, False)
    finally:
        env.close()


def test_wrong_actions_score_lower_than_the_expert() -> None:
    env = agora.make("web/miniwob.click-button-v0")
    obs, _ = env.reset(seed=4)
    right = miniwob_plan("click-button", obs)[0]
    wrong = next(f"click({i})" for i in range(1, 20) if f"[{i}] button" in obs and f"click({i})" != right)
    _, reward, terminated, _, _ = env.step(wrong)
    assert (reward, terminated) == (-1.0, True)
    env.reset(seed=4)
    assert env.step(right)[1] == 1.0
    env.close()


@pytest.mark.parametrize("task", sorted(TEMPLATES))
def test_expert_solves_every_shop_template(task: str) -> None:
    env = agora.make(f"web/shop.{task}-v0")
    obs, info = env.reset(seed=1)
    expert = ShopExpert(env.unwrapped.session)
    for _ in range(20):
        obs, reward, terminated, truncated, info = env.step(expert.act(obs))
        assert not info.get("error"), info["error"]
        if terminated:
            break
    assert (reward, terminated) == (1.0, True)
    env.close()


def test_shop_wrong_colour_earns_partial_credit_from_the_app_state() -> None:
    env = agora.make("web/shop.buy-v0")
    env.reset(seed=2)
    session = env.unwrapped.session
    goal = session.goal.attributes
    wrong = next(p for p in session.catalogue if p.category == goal["category"] and p.color != goal["color"])
    env.step(f'goto("/product/{wrong.id}")')
    obs = env.step("noop()")[0]
    add = next(line for line in obs.splitlines() if 'button "Add to cart"' in line).split("]")[0].strip(" [")
    env.step(f"click({add})")
    obs = env.step('goto("/checkout")')[0]
    place = next(line for line in obs.splitlines() if 'button "Place order"' in line).split("]")[0].strip(" [")
    _, reward, terminated, _, _ = env.step(f"click({place})")
    assert terminated and session.order.lines == {wrong.id: 1}
    assert reward == score_order(session.goal, Order({wrong.id: 1}), session.catalogue)
    assert 0 < reward < 1  # category, quantity and "only" at least; the colour is wrong
    env.close()


def test_bad_actions_give_error_observations_and_change_nothing() -> None:
    env = agora.make("web/miniwob.click-button-v0")
    obs, info = env.reset(seed=4)
    for action, error in [
        ("click(999)", "no element [999]"),
        ('goto("https://example.com")', "outside"),
        ('answer("yes")', "takes no answer"),
        ("type(1, 'x')", "type failed"),
        ("dance()", "unknown action"),
    ]:
        new_obs, reward, terminated, truncated, info = env.step(action)
        assert error in info["error"] and f"Error: {info['error']}" in new_obs
        assert (reward, terminated, truncated) == (0.0, False, False)
    with pytest.raises(TypeError, match="str"):
        env.step(3)
    right = miniwob_plan("click-button", obs)[0]
    call = json.dumps({"name": "click", "arguments": {"id": int(right[len("click(") : -1])}})
    assert env.step(call)[1] == 1.0  # the same click as a JSON tool call
    env.close()


def test_goto_stays_inside_the_shop() -> None:
    env = agora.make("web/shop.buy-v0")
    env.reset(seed=0)
    obs, _, _, _, info = env.step('goto("/cart")')
    assert "Page: /cart" in obs and "error" not in info
    for url in ("http://127.0.0.1:1/", "file:///etc/passwd", "../../wob/miniwob/click-button.html"):
        assert "outside" in env.step(f"goto({url!r})")[4]["error"]
    env.close()


def test_killing_the_browser_is_an_infra_error_and_the_next_reset_works() -> None:
    from agora.envs.web.browser import get_pool

    env = agora.make("web/miniwob.click-button-v0")
    obs, _ = env.reset(seed=4)
    pool = get_pool()
    pid, generation = pool.browser_pid(), pool.generation
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    obs, reward, terminated, truncated, info = env.step(miniwob_plan("click-button", obs)[0])
    assert info["infra_error"] and "infrastructure failure" in obs
    assert (reward, terminated, truncated) == (0.0, False, True)
    with pytest.raises(ResetNeeded):
        env.step("noop()")
    obs, _ = env.reset(seed=4)
    assert pool.generation == generation + 1 and pool.browser_pid() not in (None, pid)
    assert play(env, miniwob_plan("click-button", obs))[1] == 1.0
    env.close()


def test_canvas_tasks_are_solved_by_coordinates_and_score_mistakes() -> None:
    env = agora.make("gui/canvas.click-button-v0")
    obs, info = env.reset(seed=5)
    assert obs["image"].shape == (240, 320, 3) and obs["image"].dtype == np.uint8
    layout = env.unwrapped.layout
    right = next(b for b in layout["buttons"] if b["correct"])
    wrong = next(b for b in layout["buttons"] if not b["correct"])
    assert env.step(f"click({wrong['x'] + 5}, {wrong['y'] + 5})")[1:3] == (-1.0, True)
    env.reset(seed=5)
    assert env.step(f"click({right['x'] + 5}, {right['y'] + 5})")[1:3] == (1.0, True)
    assert "outside" in env.step("click(500, 5)")[4]["error"] if not env.unwrapped._needs_reset else True
    env.close()

    form = agora.make("gui/canvas.form-v0")
    form.reset(seed=0)
    fields = form.unwrapped.layout["fields"]
    first = fields[0]
    play(
        form,
        [f"click({first['x'] + 5}, {first['y'] + 5})", f'type("{first["expected"]}x")', 'key("Backspace")'],
    )
    submit = form.unwrapped.layout["buttons"][0]
    _, reward, terminated, _, _ = form.step(f"click({submit['x'] + 5}, {submit['y'] + 5})")
    assert terminated and reward == pytest.approx(1 / len(fields))
    form.close()


def test_pixel_mode_screenshot_shows_the_action() -> None:
    env = agora.make("gui/canvas.form-v0")
    obs, _ = env.reset(seed=0)
    field = env.unwrapped.layout["fields"][0]
    after = play(env, [f"click({field['x'] + 5}, {field['y'] + 5})", 'type("WWWW")'])[0]
    box = np.s_[field["y"] : field["y"] + field["h"], field["x"] : field["x"] + field["w"]]
    assert (after["image"][box] < 100).sum() > (obs["image"][box] < 100).sum() + 50  # dark text pixels appeared
    env.close()


TIMED_TASKS = [
    "web/miniwob.chase-circle-v0",
    "web/miniwob.moving-items-v0",
    "web/miniwob.simon-says-v0",
    "web/miniwob.button-delay-v0",
    "web/miniwob.choose-date-v0",
    "web/miniwob.click-collapsible-v0",
    "web/miniwob.book-flight-v0",
    "web/miniwob.drag-items-v0",
    "gui/miniwob.click-pie-v0",
    "gui/miniwob.use-slider-v0",
    "gui/canvas.dialog-v0",
    "web/shop.cheapest-v0",
]


@pytest.mark.slow
@pytest.mark.parametrize("env_id", TIMED_TASKS)
def test_same_seed_and_actions_repeat_after_other_episodes(env_id: str) -> None:
    """Pages with timers and animations repeat exactly: the virtual clock, not real time, moves them."""
    env = agora.make(env_id)
    first = _trace(env, 11)
    env.reset(seed=12)
    env.step("noop()")
    assert _same_traces(first, _trace(env, 11))
    other = agora.make(env_id)  # a second context, created at another real time
    assert _same_traces(first, _trace(other, 11))
    env.close()
    other.close()


def _trace(env, seed: int) -> list:
    trace = [env.reset(seed=seed)[0]]
    for _ in range(3):
        obs, reward, terminated, _, _ = env.step("noop()")
        trace += [obs, reward]
        if terminated:
            break
    return trace


def _same_traces(a: list, b: list) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a["text"] == b["text"] and np.array_equal(a["image"], b["image"])
    return a == b


def test_missing_browser_error_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from agora.envs.web.browser import find_chromium
    from agora.errors import BrowserNotFound

    monkeypatch.delenv("AGORA_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BrowserNotFound, match="apt-get install chromium"):
        find_chromium()
    monkeypatch.setenv("AGORA_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(BrowserNotFound, match="not an executable"):
        find_chromium()


def test_agora_play_lets_a_person_shop_in_the_terminal() -> None:
    agora_cli = [sys.executable, "-c", "from agora.cli import main; main()"]
    run = subprocess.run(
        [*agora_cli, "play", "web/shop.buy-v0", "--seed", "0"],
        input='goto("/cart")\nclick(99)\n',
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Task: Buy a" in out and "Page: /cart" in out and "Your cart is empty" in out
    assert "no element [99]" in out and "bye" in out


def test_a_hung_browser_is_killed_and_reported_as_an_infra_error() -> None:
    import asyncio

    from agora.envs.web.browser import get_pool
    from agora.errors import BrowserCrashed

    env = agora.make("web/miniwob.click-button-v0")
    obs, _ = env.reset(seed=4)
    pool = get_pool()
    with pytest.raises(BrowserCrashed, match="did not answer within 0.5 s"):
        pool.run(asyncio.sleep(5), timeout_s=0.5)  # stands in for a page that never answers
    obs, reward, terminated, truncated, info = env.step("noop()")
    assert info["infra_error"] and truncated
    obs, _ = env.reset(seed=4)
    assert play(env, miniwob_plan("click-button", obs))[1] == 1.0
    env.close()


@pytest.mark.parametrize(("offset", "expected"), [(0, 1.0), (3, 0.7)])
def test_canvas_slider_is_dragged_to_the_value(offset: int, expected: float) -> None:
    env = agora.make("gui/canvas.slider-v0")
    env.reset(seed=2)
    s = env.unwrapped.layout["slider"]
    target = min(s["target"] + offset, 100) if s["target"] + offset <= 100 else s["target"] - offset
    knob = s["x"] + s["start"] * s["w"] // 100
    to = s["x"] + target * s["w"] // 100
    submit = env.unwrapped.layout["buttons"][0]
    play(env, [f"drag({knob}, {s['y']}, {to}, {s['y']})"])
    _, reward, terminated, _, _ = env.step(f"click({submit['x'] + 5}, {submit['y'] + 5})")
    assert terminated and reward == pytest.approx(expected)
    env.close()
