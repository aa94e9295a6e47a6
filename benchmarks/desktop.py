"""Desktop family (real X applications under Xvfb in Docker): reset and step latency, memory, success rates.

Usage: python benchmarks/desktop.py [--seeds 1] [--random-steps 8] [--apps xterm,mousepad] [--templates N]
                                   [--only show-hidden,scientific-settings] [--accessibility-tree]

For every template of each app (or the first N with ``--templates``) and each seed, the oracle plays the
episode through the env's own actions, then a random agent (random clicks, keys, words, waits, then
``answer("")``) plays the same task. Rows per app: templates, oracle and random success rates, reset latency
from the warm pool (fresh home, fresh X session, the app started and drawn), step latency of input actions
(the action, 50 ms for the app to draw, the screenshot and the window list), and the desktop container's
memory (at the end of each episode, and the peak of the container's cgroup). ``--accessibility-tree`` makes
the envs with ``accessibility_tree=True`` (each look also reads the accessibility tree).
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from _bench import load_average, p50_p95, record

import agora
from agora.envs.desktop import app_templates
from agora.envs.desktop.agents import DesktopOracle
from agora.envs.desktop.display import HEIGHT, WIDTH

KEYS = ("Enter", "Tab", "Escape", "BackSpace", "ctrl+a", "ctrl+z", "Down", "Up", "F2", "ctrl+s")
WORDS = ("hello", "42", "report", "=SUM(B2:B5)", "ls\n", "x")
MEMORY = (
    "cat /sys/fs/cgroup/memory.current 2>/dev/null || cat /sys/fs/cgroup/memory/memory.usage_in_bytes;"
    " cat /sys/fs/cgroup/memory.peak 2>/dev/null || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes"
)


def random_action(rng: random.Random) -> str:
    """One random input action of the desktop grammar."""
    x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
    return rng.choice(
        [
            f"click({x}, {y})",
            f"double_click({x}, {y})",
            f"right_click({x}, {y})",
            f"scroll({x}, {y}, {rng.choice([-200, 200])})",
            f'type("{rng.choice(WORDS)}")'.replace("\n", "\\n"),
            f'key("{rng.choice(KEYS)}")',
            "wait()",
        ]
    )


def play(env: Any, seed: int, policy: str, random_steps: int, stats: dict[str, list]) -> float:
    """One episode; returns its reward and adds reset/step latencies and memory to `stats`."""
    start = time.perf_counter()
    obs, _ = env.reset(seed=seed)
    stats["reset"].append(time.perf_counter() - start)
    rng = random.Random(seed)
    oracle = DesktopOracle(env.unwrapped.task) if policy == "oracle" else None
    for turn in range(64):
        if oracle is not None:
            action = oracle.act(obs)
        else:
            action = random_action(rng) if turn < random_steps else 'answer("")'
        if action.startswith("answer("):
            used, peak = (int(v) for v in env.unwrapped._desktop.run(MEMORY).split()[:2])
            stats["memory"].append(used / 2**20)
            stats["peak"].append(peak / 2**20)
        start = time.perf_counter()
        obs, reward, terminated, truncated, info = env.step(action)
        if not action.startswith(("answer(", "wait(")):
            stats["step"].append(time.perf_counter() - start)
        if "infra_error" in info:
            stats["infra"].append(info["infra_error"])
        if terminated or truncated:
            return float(reward)
    return 0.0


def bench_app(app: str, templates: list, seeds: int, random_steps: int, tree: bool = False) -> dict[str, Any]:
    """The row of one app."""
    stats: dict[str, list] = {k: [] for k in ("reset", "step", "memory", "peak", "infra")}
    solved, lucky, failed = 0, 0, []
    for template in templates:
        env = agora.make(f"desktop/{app}.{template.name}-v0", **({"accessibility_tree": True} if tree else {}))
        try:
            for seed in range(seeds):
                reward = play(env, seed, "oracle", random_steps, stats)
                solved += reward == 1.0
                if reward != 1.0:
                    failed.append(f"{template.name}@{seed}")
                lucky += play(env, seed, "random", random_steps, stats) == 1.0
        finally:
            env.close()
    episodes = len(templates) * seeds
    reset, step = p50_p95(stats["reset"]), p50_p95(stats["step"])
    row = {
        "app": app,
        "templates": len(templates),
        "episodes": episodes,
        "oracle_success": round(solved / episodes, 3),
        "random_success": round(lucky / episodes, 3),
        "reset_p50_s": round(reset[0], 2),
        "reset_p95_s": round(reset[1], 2),
        "step_p50_ms": round(step[0] * 1000),
        "step_p95_ms": round(step[1] * 1000),
        "memory_mb_max": round(max(stats["memory"])),
        "memory_peak_mb": round(max(stats["peak"])),
        "infra_errors": len(stats["infra"]),
    }
    if failed:
        print(f"  {app}: oracle failed {', '.join(failed)}")
    return row


def main() -> None:
    """Runs the benchmark, prints the table and records it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds per template")
    parser.add_argument("--random-steps", type=int, default=8, help="random actions before answer('')")
    parser.add_argument("--apps", default="", help="comma-separated apps (default: all)")
    parser.add_argument("--templates", type=int, default=0, help="first N templates per app (default: all)")
    parser.add_argument("--only", default="", help="comma-separated template names (default: all)")
    parser.add_argument("--accessibility-tree", action="store_true", help="observations with the accessibility tree")
    args = parser.parse_args()
    table = app_templates()
    only = {t for t in args.only.split(",") if t}
    table = {app: [t for t in ts if not only or t.name in only] for app, ts in table.items()}
    apps = [a for a in args.apps.split(",") if a] or [a for a in table if table[a]]
    rows = []
    header = (
        f"{'app':<11}{'tmpl':>5}{'oracle':>8}{'random':>8}{'reset p50/p95 s':>17}{'step p50/p95 ms':>17}{'mem MB':>8}"
    )
    print(f"load average: {load_average()}")
    print(header)
    for app in apps:
        templates = table[app][: args.templates or None]
        row = bench_app(app, templates, args.seeds, args.random_steps, args.accessibility_tree)
        rows.append(row)
        print(
            f"{app:<11}{row['templates']:>5}{row['oracle_success']:>8.2f}{row['random_success']:>8.2f}"
            f"{row['reset_p50_s']:>9.2f}/{row['reset_p95_s']:<7.2f}{row['step_p50_ms']:>9}/{row['step_p95_ms']:<7}"
            f"{row['memory_mb_max']:>8}",
            flush=True,
        )
    print(f"load average: {load_average()}")
    record("desktop", rows, settings=vars(args))


if __name__ == "__main__":
    main()
