"""Reset and step latency of the puzzles family and 24 points, and FrozenLake beside Gymnasium's own.

Run: .venv/bin/python benchmarks/puzzles.py [--episodes N] [--steps N]

Each env plays ``--episodes`` episodes with its ``oracle`` agent; only ``env.reset`` and ``env.step``
are timed (the oracle's thinking is not). The FrozenLake comparison drives one map three ways in the
same process, one step of each in turn for ``--steps`` rounds (medians of the single-step times, so
the shared machine's preemptions do not count): Gymnasium's ``FrozenLakeEnv.step`` alone,
Gymnasium's step plus its ``ansi`` render (the text an LLM would need), and agora's
``puzzles/FrozenLake-v0`` step through ``agora.make`` (wrappers included), which parses the reply,
calls the same upstream step and renders the board. The moves (Left, Up at the start cell) keep the
player in place, so every step takes the same path and no episode ends.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _bench import load_average, record
from gymnasium.envs.toy_text.frozen_lake import FrozenLakeEnv, generate_random_map

import agora
from agora.agent import resolve_agent

IDS = [*agora.list_envs("puzzles"), "reasoning/TwentyFour-v0", "reasoning/VisualTwentyFour-v0"]


def measure_env(env_id: str, episodes: int) -> dict:
    """Median reset and step times (µs) over `episodes` oracle episodes, and the mean episode length."""
    env = agora.make(env_id)
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    resets, steps, lengths = [], [], []
    for seed in range(episodes):
        start = time.perf_counter()
        obs, info = env.reset(seed=seed)
        resets.append(time.perf_counter() - start)
        done, length = False, 0
        while not done:
            action = oracle.act(obs, info)
            start = time.perf_counter()
            obs, _, terminated, truncated, info = env.step(action)
            steps.append(time.perf_counter() - start)
            done, length = terminated or truncated, length + 1
        lengths.append(length)
    env.close()
    return {
        "env": env_id,
        "reset_us": round(statistics.median(resets) * 1e6, 1),
        "step_us": round(statistics.median(steps) * 1e6, 1),
        "moves_per_episode": round(statistics.mean(lengths), 2),
    }


def frozen_lake_head_to_head(steps: int) -> list[dict]:
    """Per-step µs of Gymnasium's FrozenLake (bare, and with its ansi render) and agora's, same map."""
    env = agora.make("puzzles/FrozenLake-v0")
    env.reset(seed=0)
    desc = env.unwrapped.desc
    bare = FrozenLakeEnv(desc=desc, is_slippery=False)
    ansi = FrozenLakeEnv(desc=desc, is_slippery=False, render_mode="ansi")
    bare.reset(seed=0)
    ansi.reset(seed=0)
    actions, names = (0, 3), ("Left", "Up")
    runs = {
        "gymnasium FrozenLakeEnv.step": lambda i: bare.step(actions[i & 1]),
        "gymnasium step + render('ansi')": lambda i: (ansi.step(actions[i & 1]), ansi.render()),
        "agora puzzles/FrozenLake-v0 step": lambda i: env.step(names[i & 1]),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    clock = time.perf_counter
    for i in range(steps):  # one step of each in turn: a busy moment on the shared machine hits all three
        for name, step in runs.items():
            start = clock()
            step(i)
            times[name].append(clock() - start)
    base, text_base = (statistics.median(times[n]) * 1e6 for n in list(runs)[:2])
    rows = []
    for name in runs:
        us = statistics.median(times[name]) * 1e6
        rows.append(
            {
                "run": name,
                "step_us": round(us, 2),
                "vs_upstream_step_pct": round(100 * (us / base - 1), 1),
                "vs_upstream_step_and_render_pct": round(100 * (us / text_base - 1), 1),
            }
        )
    upstream, ours = [], []
    for seed in range(200):
        start = time.perf_counter()
        FrozenLakeEnv(desc=generate_random_map(4, 0.8, seed=seed), is_slippery=False).reset(seed=seed)
        upstream.append(time.perf_counter() - start)
        start = time.perf_counter()
        env.reset(seed=seed)
        ours.append(time.perf_counter() - start)
    rows.append(
        {
            "run": "reset: generate_random_map + FrozenLakeEnv + reset (gymnasium) vs agora reset, medians",
            "upstream_reset_us": round(statistics.median(upstream) * 1e6, 1),
            "agora_reset_us": round(statistics.median(ours) * 1e6, 1),
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--steps", type=int, default=30_000)
    args = parser.parse_args()
    print(f"load average: {load_average()}")
    rows = [measure_env(env_id, args.episodes) for env_id in IDS]
    print(f"{'env':<32} {'reset (µs)':>11} {'step (µs)':>10} {'oracle moves':>13}")
    for row in rows:
        print(f"{row['env']:<32} {row['reset_us']:>11.1f} {row['step_us']:>10.1f} {row['moves_per_episode']:>13.2f}")
    versus = frozen_lake_head_to_head(args.steps)
    print(f"\n{'FrozenLake, same map (medians)   ':<40} {'step (µs)':>10} {'vs step':>9} {'vs step+ansi':>13}")
    for row in versus[:3]:
        print(
            f"{row['run']:<40} {row['step_us']:>10.2f} {row['vs_upstream_step_pct']:>8.1f}% "
            f"{row['vs_upstream_step_and_render_pct']:>12.1f}%"
        )
    upstream, ours = versus[3]["upstream_reset_us"], versus[3]["agora_reset_us"]
    print(f"reset: Gymnasium's map + env + reset {upstream:.1f} µs, agora's reset {ours:.1f} µs (medians)")
    record("puzzles", rows + versus, settings=vars(args))


if __name__ == "__main__":
    main()
