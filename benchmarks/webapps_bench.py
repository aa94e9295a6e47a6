"""The real web apps' rows of benchmarks/web.py: latency at 1 and 16 concurrent episodes, memory, success rates."""

from __future__ import annotations

import os
import random
import re
import threading
from typing import Any

from _bench import p50_p95, run_threads, timed

import agora
from agora.envs.web import WEB_APPS
from agora.envs.web.appserver import app_server
from agora.envs.web.browser import get_pool
from agora.envs.web.webapp import WebAppOracle, template_table
from agora.errors import BrowserError

CONCURRENCY = (1, 16)
MAX_STEPS = 12


def _oracle_episode(env: Any, seed: int, resets: list[float] | None = None, steps: list[float] | None = None) -> float:
    """Plays the oracle once; returns the episode's return (latencies appended when lists are given)."""
    (obs, info), dt = timed(env.reset, seed=seed)
    if resets is not None:
        resets.append(dt)
    oracle, total = WebAppOracle(), 0.0
    for _ in range(MAX_STEPS):
        (obs, reward, terminated, truncated, info), dt = timed(env.step, oracle.act(obs, info))
        if steps is not None:
            steps.append(dt)
        total += reward
        if terminated or truncated:
            break
    return total


def _random_episode(env: Any, seed: int) -> float:
    """A random agent: clicks a random element, scrolls or types random text, then answers something random."""
    rng = random.Random(seed)
    obs, info = env.reset(seed=seed)
    for _ in range(MAX_STEPS - 1):
        ids = re.findall(r"^\s*\[(\d+)\]", obs, re.M) or ["1"]
        action = rng.choice(
            [f"click({rng.choice(ids)})", 'scroll("down")', f'type({rng.choice(ids)}, "{rng.randrange(100)}")']
        )
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return reward
    return env.step(f'answer("{rng.choice(["", "1", "Open", "agent"])}")')[1]


def _latency(app: str, n_envs: int, episodes: int) -> tuple[list[float], list[float], int]:
    """Reset and step latencies with `n_envs` episodes running at once (one thread each, templates in turn)."""
    names = sorted(template_table(app))
    envs = [agora.make(f"web/{app}.{names[k % len(names)]}-v0") for k in range(n_envs)]
    for env in envs:
        env.reset(seed=10_000)  # warm: contexts, the server, the instance lists
    failures = [0] * n_envs
    resets: list[list[float]] = [[] for _ in envs]
    steps: list[list[float]] = [[] for _ in envs]

    def worker(k: int) -> None:
        for e in range(episodes):
            try:
                _oracle_episode(envs[k], 100 * k + e, resets[k], steps[k])
            except BrowserError:  # a reset that timed out (an overloaded machine): counted, not timed
                failures[k] += 1

    run_threads([threading.Thread(target=worker, args=(k,)) for k in range(n_envs)])
    for env in envs:
        env.close()
    return [x for r in resets for x in r], [x for s in steps for x in s], sum(failures)


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def _chromium_pss_mb() -> float:
    """PSS of the shared Chromium and every process under it, in MB."""
    root = get_pool().browser_pid()
    if root is None:
        return 0.0
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parents[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        tree += children
        frontier += children
    total_kb = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total_kb += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total_kb / 1024


def _success(app: str, play: Any, seeds: tuple[int, ...]) -> tuple[float, int]:
    wins, games = 0.0, 0
    for name in sorted(template_table(app)):
        env = agora.make(f"web/{app}.{name}-v0")
        for seed in seeds:
            wins += play(env, seed) == 1.0
            games += 1
        env.close()
    return wins / games, games


def webapps_rows(episodes: int, apps: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per app and concurrency (latency and memory), then one per app with the success rates
    (`apps`: these apps only; default every app of `WEB_APPS`)."""
    apps = sorted(apps or WEB_APPS)
    rows = []
    header = (
        f"{'web app':<10} {'episodes at once':>16} {'reset p50':>10} {'reset p95':>10} {'step p50':>9} {'step p95':>9}"
    )
    print(header + f" {'server MB':>9} {'chromium MB':>11}")
    for app in apps:
        for n in CONCURRENCY:
            resets, steps, failures = _latency(app, n, episodes)
            (r50, r95), (s50, s95) = p50_p95(resets), p50_p95(steps)
            server, chromium = _rss_mb(app_server(app).process.pid), _chromium_pss_mb()
            print(
                f"{app:<10} {n:>16} {r50 * 1000:>8.0f}ms {r95 * 1000:>8.0f}ms {s50 * 1000:>7.0f}ms {s95 * 1000:>7.0f}ms"
                f" {server:>9.0f} {chromium:>11.0f}"
            )
            rows.append(
                {
                    "app": app,
                    "concurrent_episodes": n,
                    "reset_p50_ms": round(r50 * 1000, 1),
                    "reset_p95_ms": round(r95 * 1000, 1),
                    "step_p50_ms": round(s50 * 1000, 1),
                    "step_p95_ms": round(s95 * 1000, 1),
                    "resets": len(resets),
                    "failed_resets": failures,
                    "steps": len(steps),
                    "server_rss_mb": round(server, 1),
                    "chromium_pss_mb": round(chromium, 1),
                    "seeded_db_mb": round(app_server(app).seeded.stat().st_size / 2**20, 2),
                }
            )
    for app in apps:
        oracle, games = _success(app, _oracle_episode, (0, 1))
        rand, _ = _success(app, _random_episode, (0, 1))
        print(f"{app}: oracle success {oracle:.1%}, random agent {rand:.1%} over {games} episodes each")
        rows.append({"app": app, "oracle_success": oracle, "random_success": rand, "episodes": games})
    return rows
