"""The real web apps' rows of benchmarks/web.py: latency at 1 and 16 concurrent episodes, memory, success rates.

Each latency row also gives the CPU seconds the whole setup (this process, the Playwright driver, Chromium, the
app servers) spent per episode, and the load average: on a shared 2-core machine the CPU figure explains the
wall-clock one (16 episodes at once need 16 times the CPU of one, on two cores).
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from typing import Any

from _bench import p50_p95, run_threads, timed

import agora
from agora.envs.web import WEB_APPS
from agora.envs.web.appserver import app_server, server_processes
from agora.envs.web.browser import get_pool
from agora.envs.web.webapp import WebAppOracle, template_table
from agora.errors import BrowserError

CONCURRENCY = (1, 16)
MAX_STEPS = 12


def _oracle_episode(
    env: Any, seed: int, resets: list[float] | None = None, steps: list[float] | None = None, think_s: float = 0.0
) -> float:
    """Plays the oracle once; returns the episode's return (latencies appended when lists are given).

    `think_s` is slept before each action, untimed: the time a model takes to choose it (elsewhere, e.g. on a
    GPU), during which the env may prepare its next episode.
    """
    (obs, info), dt = timed(env.reset, seed=seed)
    if resets is not None:
        resets.append(dt)
    oracle, total = WebAppOracle(), 0.0
    for _ in range(MAX_STEPS):
        time.sleep(think_s)
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


def _latency(
    app: str, n_envs: int, episodes: int, prepare_ahead: bool = True, think_s: float = 0.0
) -> tuple[list[float], list[float], int, float, float, float]:
    """Reset and step latencies with `n_envs` episodes running at once (one thread each, templates in turn),
    the failed resets, the CPU seconds of the whole setup per episode, the disk of episode copies at the end (MB)
    and the oracle's success rate (its steps time out when the machine cannot keep up)."""
    names = sorted(template_table(app))
    envs = [agora.make(f"web/{app}.{names[k % len(names)]}-v0", prepare_ahead=prepare_ahead) for k in range(n_envs)]
    for env in envs:  # warm: contexts, the server, the instance lists; the next episode is prepared from the 2nd on
        for seed in (10_000, 10_001):
            env.reset(seed=seed)
            env.step("noop()")
    failures = [0] * n_envs
    wins = [0] * n_envs
    resets: list[list[float]] = [[] for _ in envs]
    steps: list[list[float]] = [[] for _ in envs]

    def worker(k: int) -> None:
        for e in range(episodes):
            try:
                wins[k] += _oracle_episode(envs[k], 100 * k + e, resets[k], steps[k], think_s) == 1.0
            except BrowserError:  # a reset that timed out (an overloaded machine): counted, not timed
                failures[k] += 1

    cpu_before = _tree_cpu_s()
    run_threads([threading.Thread(target=worker, args=(k,)) for k in range(n_envs)])
    cpu = (_tree_cpu_s() - cpu_before) / max(1, n_envs * episodes)
    copies_mb = _copies_mb(app_server(app))
    for env in envs:
        env.close()
    success = sum(wins) / max(1, n_envs * episodes)
    return [x for r in resets for x in r], [x for s in steps for x in s], sum(failures), cpu, copies_mb, success


def _processes() -> dict[int, tuple[int, int]]:
    """Every process's (parent, CPU clock ticks used by itself)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
            except (OSError, ValueError, IndexError):
                continue
    return table


def _descendants(root: int, table: dict[int, tuple[int, int]]) -> list[int]:
    tree, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, (parent, _) in table.items() if parent == pid]
        tree += children
        frontier += children
    return tree


def _tree_cpu_s() -> float:
    """CPU seconds used so far by this process and every live process under it (Chromium, driver, servers)."""
    table = _processes()
    return sum(table[p][1] for p in _descendants(os.getpid(), table)) / os.sysconf("SC_CLK_TCK")


def _copies_mb(server: Any) -> float:
    """The disk the app server's episode copies (live and prepared episodes) take, in MB."""
    return sum(f.stat().st_size for f in server.episodes.iterdir()) / 2**20


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def _pss_mb(root: int | None) -> float:
    """PSS of process `root` and every process under it, in MB."""
    if root is None:
        return 0.0
    total_kb = 0
    for pid in _descendants(root, _processes()):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total_kb += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total_kb / 1024


def _chromium_pss_mb() -> float:
    """PSS of the shared Chromium and every process under it, in MB."""
    return _pss_mb(get_pool().browser_pid())


def _success(app: str, play: Any, seeds: tuple[int, ...]) -> tuple[float, int]:
    wins, games = 0.0, 0
    for name in sorted(template_table(app)):
        env = agora.make(f"web/{app}.{name}-v0")
        for seed in seeds:
            wins += play(env, seed) == 1.0
            games += 1
        env.close()
    return wins / games, games


def webapps_rows(
    episodes: int,
    concurrency: tuple[int, ...] = CONCURRENCY,
    apps: tuple[str, ...] = (),
    success: bool = True,
    prepare_ahead: bool = True,
    think_ms: int = 0,
) -> list[dict[str, Any]]:
    """One row per app and concurrency (latency, CPU and memory), then one per app with the success rates.

    `apps` limits the rows to those apps (default: every app of `WEB_APPS`)."""
    apps = tuple(sorted(apps or WEB_APPS))
    unknown = set(apps) - set(WEB_APPS)
    if unknown:
        raise SystemExit(f"unknown web apps {sorted(unknown)}; choose from {sorted(WEB_APPS)}")
    rows = []
    header = (
        f"{'web app':<10} {'at once':>7} {'reset p50':>10} {'reset p95':>10} {'step p50':>9} {'step p95':>9}"
        f" {'cpu s/ep':>8} {'server MB':>9} {'chromium MB':>11} {'copies MB':>9} {'oracle':>7} {'load':>5}"
    )
    print(header)
    for app in apps:
        for n in concurrency:
            resets, steps, failures, cpu, copies, won = _latency(app, n, episodes, prepare_ahead, think_ms / 1000)
            (r50, r95), (s50, s95) = p50_p95(resets), p50_p95(steps)
            server, chromium = _pss_mb(app_server(app).process.pid), _chromium_pss_mb()
            load = os.getloadavg()[0]
            print(
                f"{app:<10} {n:>7} {r50 * 1000:>8.0f}ms {r95 * 1000:>8.0f}ms {s50 * 1000:>7.0f}ms {s95 * 1000:>7.0f}ms"
                f" {cpu:>8.2f} {server:>9.0f} {chromium:>11.0f} {copies:>9.0f} {won:>7.0%} {load:>5.1f}"
            )
            rows.append(
                {
                    "app": app,
                    "concurrent_episodes": n,
                    "think_ms": think_ms,
                    "prepare_ahead": prepare_ahead,
                    "reset_p50_ms": round(r50 * 1000, 1),
                    "reset_p95_ms": round(r95 * 1000, 1),
                    "step_p50_ms": round(s50 * 1000, 1),
                    "step_p95_ms": round(s95 * 1000, 1),
                    "resets": len(resets),
                    "failed_resets": failures,
                    "oracle_success_here": round(won, 3),
                    "steps": len(steps),
                    "cpu_s_per_episode": round(cpu, 3),
                    "server_pss_mb": round(server, 1),
                    "server_processes": server_processes(),
                    "chromium_pss_mb": round(chromium, 1),
                    "episode_copies_mb": round(copies, 1),
                    "seeded_db_mb": round(app_server(app).seeded.stat().st_size / 2**20, 2),
                    "load_1min": round(load, 1),
                }
            )
    if not success:
        return rows
    for app in apps:
        oracle, games = _success(app, _oracle_episode, (0, 1))
        rand, _ = _success(app, _random_episode, (0, 1))
        print(f"{app}: oracle success {oracle:.1%}, random agent {rand:.1%} over {games} episodes each")
        rows.append({"app": app, "oracle_success": oracle, "random_success": rand, "episodes": games})
    return rows


def memory_rows(app: str, episodes: int = 500, every: int = 50) -> list[dict[str, Any]]:
    """Memory of the whole setup over `episodes` episodes of one env of `app`, the next one prepared ahead.

    Each episode is a reset, one random action and ``answer("")`` (graded): what every episode does to the
    server (a copy of the seeded database, a session, a grade, the copy deleted) and to the browser (a prepared
    context swapped in, a page loaded). A row every `every` episodes: the PSS of the app servers, of Chromium,
    this process's RSS and the disk of episode copies still on disk. Flat means no episode leaves anything.
    """
    names = sorted(template_table(app))
    env = agora.make(f"web/{app}.{names[0]}-v0", prepare_ahead=True)
    rng, rows = random.Random(0), []
    print(f"{'web app':<10} {'episodes':>8} {'server MB':>9} {'chromium MB':>11} {'python MB':>9} {'copies MB':>9}")
    try:
        for e in range(episodes + 1):
            if e % every == 0 or e == episodes:
                server = app_server(app)
                row = {
                    "app": app,
                    "episodes": e,
                    "server_pss_mb": round(_pss_mb(server.process.pid), 1),
                    "chromium_pss_mb": round(_chromium_pss_mb(), 1),
                    "python_rss_mb": round(_rss_mb(os.getpid()), 1),
                    "episode_copies_mb": round(_copies_mb(server), 1),
                }
                print(
                    f"{app:<10} {e:>8} {row['server_pss_mb']:>9.0f} {row['chromium_pss_mb']:>11.0f}"
                    f" {row['python_rss_mb']:>9.0f} {row['episode_copies_mb']:>9.1f}",
                    flush=True,
                )
                rows.append(row)
            if e == episodes:
                break
            obs, info = env.reset(seed=e)
            ids = re.findall(r"^\s*\[(\d+)\]", obs, re.M) or ["1"]
            env.step(rng.choice([f"click({rng.choice(ids)})", 'scroll("down")']))
            env.step('answer("")')
    finally:
        env.close()
    return rows
