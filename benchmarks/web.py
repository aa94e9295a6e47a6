"""Latency and throughput of the web and GUI envs in a real headless Chromium.

Usage: python benchmarks/web.py [--episodes 30] [--concurrency 1,4,8] [--seconds 8]
       python benchmarks/web.py --apps-only [--app-episodes 3] [--app-concurrency 1,16] [--apps forum,cms]
                                [--no-success] [--no-prepare-ahead] [--think-ms 0]   (just the real web apps' rows)
       python benchmarks/web.py --memory-episodes 500 [--apps helpdesk,store]   (memory over N episodes per app)

Rows:
* reset / step latency (p50, p95) in text mode on MiniWoB++ click tasks (expert actions plus noops),
  on the shop (every step is a page navigation or a form field), and in pixel mode (screenshots);
* throughput with N envs stepping concurrently from N threads (one browser, one context each);
* BrowserGym's MiniWoB env side by side, when ``browsergym-miniwob`` is installed (otherwise skipped);
* the real web apps (``web/<app>.*``, `webapps_rows`): reset and step p50/p95 with 1 and 16 episodes running
  at once (each on its own copy of the app's database), the memory of the whole setup (app servers' and
  Chromium's PSS, episode copies on disk), the CPU seconds per episode of the whole setup, and the oracle's
  and a random agent's success rates over every template. These rows are appended to
  benchmarks/results.jsonl (``_bench.record("web-apps", ...)``);
* with ``--memory-episodes N``, only the memory of the whole setup over N episodes of one env per app (the next
  episode prepared ahead), a row every 50 episodes (`webapps_bench.memory_rows`; ``web-apps.memory``).

Resets use a new seed each time, so each one loads the task page afresh (no pristine-page reuse).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

import _bench
from _bench import p50_p95, run_threads, timed

import agora
from agora.envs.web.miniwob.agents import miniwob_plan
from agora.envs.web.shop.agents import ShopExpert

TEXT_TASKS = ("click-button", "click-checkboxes", "enter-text", "login-user", "choose-list")


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    p50, p95 = p50_p95(values)
    return p50 * 1000, p95 * 1000


def timed_episodes(
    env: Any, seeds: range, actor_for: Callable[[Any, Any], Callable[[Any], str | None]], max_steps: int = 20
) -> tuple[list[float], list[float]]:
    """Reset and step latencies of one env over `seeds` (a warm-up reset first); `actor_for(env, obs)`
    gives each episode a function from observation to the next action (None ends the episode)."""
    resets, steps = [], []
    env.reset(seed=10_000)  # warm the context
    for seed in seeds:
        (obs, _), dt = timed(env.reset, seed=seed)
        resets.append(dt)
        act = actor_for(env, obs)
        for _ in range(max_steps):
            action = act(obs)
            if action is None:
                break
            result, dt = timed(env.step, action)
            steps.append(dt)
            obs = result[0]
            if result[2]:
                break
    env.close()
    return resets, steps


def planned(actions: list[str]) -> Callable[[Any], str | None]:
    """An actor that plays `actions` in order, whatever it sees, then stops."""
    remaining = iter(actions)
    return lambda _obs: next(remaining, None)


def text_miniwob(episodes: int) -> tuple[list[float], list[float]]:
    resets, steps = [], []
    for task in TEXT_TASKS:
        env = agora.make(f"web/miniwob.{task}-v0")
        more = timed_episodes(
            env,
            range(episodes // len(TEXT_TASKS) + 1),
            lambda _env, obs, task=task: planned(["noop()", *miniwob_plan(task, obs)]),
        )
        resets += more[0]
        steps += more[1]
    return resets, steps


def text_shop(episodes: int) -> tuple[list[float], list[float]]:
    return timed_episodes(
        agora.make("web/shop.buy-v0"),
        range(max(3, episodes // 3)),
        lambda env, _obs: ShopExpert(env.unwrapped.session).act,
    )


def pixel(env_id: str, episodes: int, actions: list[str]) -> tuple[list[float], list[float]]:
    return timed_episodes(agora.make(env_id), range(episodes), lambda _env, _obs: planned(actions))


def throughput(n_envs: int, seconds: float) -> float:
    """Steps per second with `n_envs` envs, each driven by its own thread (5 noops per episode)."""
    envs = [agora.make("web/miniwob.click-checkboxes-v0") for _ in range(n_envs)]
    for env in envs:
        env.reset(seed=0)
    counts = [0] * n_envs
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        seed = 1000 * k
        while time.perf_counter() < stop:
            envs[k].reset(seed=seed)
            seed += 1
            for _ in range(5):
                envs[k].step("noop()")
                counts[k] += 1

    elapsed = run_threads([threading.Thread(target=worker, args=(k,)) for k in range(n_envs)])
    for env in envs:
        env.close()
    return sum(counts) / elapsed


def browsergym_row(episodes: int) -> str:
    try:
        import browsergym.miniwob  # noqa: F401
        import gymnasium as gym
    except ImportError:
        return "BrowserGym: skipped (browsergym-miniwob is not installed)"
    env = gym.make("browsergym/miniwob.click-button")
    resets, steps = [], []
    for seed in range(episodes):
        _, dt = timed(env.reset, seed=seed)
        resets.append(dt)
        _, dt = timed(env.step, "noop()")
        steps.append(dt)
    env.close()
    (r50, r95), (s50, s95) = percentiles(resets), percentiles(steps)
    return (
        f"BrowserGym miniwob.click-button: reset p50 {r50:.0f} ms p95 {r95:.0f} ms; "
        f"step p50 {s50:.0f} ms p95 {s95:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=30)
    parser.add_argument("--concurrency", default="1,4,8")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--apps-only", action="store_true", help="run only the real web apps' rows")
    parser.add_argument("--app-episodes", type=int, default=3, help="episodes per env in the web-app latency rows")
    parser.add_argument("--app-concurrency", default="1,16", help="episodes at once in the web-app latency rows")
    parser.add_argument("--apps", default="", help="comma-separated web apps (default: all)")
    parser.add_argument("--no-success", action="store_true", help="skip the web apps' oracle/random success rows")
    parser.add_argument("--no-prepare-ahead", action="store_true", help="web apps: load each start page at reset")
    parser.add_argument("--think-ms", type=int, default=0, help="web apps: untimed pause before each action")
    parser.add_argument("--memory-episodes", type=int, default=0, help="web apps: only memory over N episodes")
    args = parser.parse_args()
    from webapps_bench import memory_rows, webapps_rows

    from agora.envs.web.browser import get_pool

    concurrency = tuple(int(x) for x in args.app_concurrency.split(","))
    apps = tuple(a for a in args.apps.split(",") if a)
    if args.memory_episodes:
        for app in apps or ("helpdesk",):
            _bench.record("web-apps.memory", memory_rows(app, args.memory_episodes), settings={"prepare_ahead": True})
        return
    app_rows = webapps_rows(
        args.app_episodes,
        concurrency,
        apps,
        not args.no_success,
        prepare_ahead=not args.no_prepare_ahead,
        think_ms=args.think_ms,
    )
    settings = {
        "app_episodes": args.app_episodes,
        "app_concurrency": args.app_concurrency,
        "prepare_ahead": not args.no_prepare_ahead,
        "think_ms": args.think_ms,
        "browser": get_pool().executable,
    }
    _bench.record("web-apps", app_rows, settings=settings)
    if args.apps_only:
        return

    rows = [
        ("text: MiniWoB click/type tasks", *text_miniwob(args.episodes)),
        ("text: shop (navigation each step)", *text_shop(args.episodes)),
        (
            "pixel: gui/miniwob.click-button",
            *pixel("gui/miniwob.click-button-v0", args.episodes, ["noop()", "click(80, 120)"]),
        ),
        (
            "pixel: gui/canvas.form",
            *pixel("gui/canvas.form-v0", args.episodes, ["click(150, 40)", 'type("abc")', "noop()"]),
        ),
    ]
    print(f"{'env':<36} {'reset p50':>10} {'reset p95':>10} {'step p50':>9} {'step p95':>9} {'steps':>6}")
    recorded: list[dict[str, Any]] = []
    for name, resets, steps in rows:
        (r50, r95), (s50, s95) = percentiles(resets), percentiles(steps)
        print(f"{name:<36} {r50:>8.1f}ms {r95:>8.1f}ms {s50:>7.1f}ms {s95:>7.1f}ms {len(steps):>6}")
        recorded.append(
            {"env": name, "reset_p50_ms": r50, "reset_p95_ms": r95, "step_p50_ms": s50, "steps_per_s": None}
        )
    print()
    print(f"{'concurrent envs':<16} {'steps/s':>8}  (web/miniwob.click-checkboxes, reset + 5 noops per episode)")
    for n in (int(x) for x in args.concurrency.split(",")):
        rate = throughput(n, args.seconds)
        print(f"{n:<16} {rate:>8.1f}")
        recorded.append(
            {
                "env": f"{n} concurrent envs",
                "reset_p50_ms": None,
                "reset_p95_ms": None,
                "step_p50_ms": None,
                "steps_per_s": rate,
            }
        )
    _bench.record("web", recorded, settings=vars(args))
    print()
    print(browsergym_row(args.episodes))


if __name__ == "__main__":
    main()
