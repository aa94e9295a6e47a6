"""Reset and step latency of the puzzles family and 24 points, FrozenLake beside Gymnasium's own, and how often
the oracle and a random agent solve each id.

Run: .venv/bin/python benchmarks/puzzles.py [--episodes N] [--steps N] [--seeds N]

**Latency.** Each env plays ``--episodes`` episodes with its ``oracle`` agent; only ``env.reset`` and
``env.step`` are timed (the oracle's thinking is not).

**FrozenLake against Gymnasium.** One map is driven several ways in the same process, one step of each in turn
for ``--steps`` rounds (medians of the single-step times, so the shared machine's preemptions hit all of them):
Gymnasium's ``FrozenLakeEnv.step`` alone, Gymnasium's step plus its ``ansi`` render, and agora's step through
``agora.make`` (both wrappers included), which parses the reply, plays the move, renders the board and builds
``info``. The moves (Left, Up at the start cell) keep the player in place, so every step takes the same path
and no episode ends; on slippery ice the player is put back on the start cell before each step (of each run).

*What "upstream step" means here.* The issue's bound (agora adds at most 10% to the upstream step) is judged
against Gymnasium's **bare** ``FrozenLakeEnv.step``, the stricter of the two readings: it returns a cell
number, while agora's step also returns the text an LLM reads, which upstream only makes with
``render('ansi')`` (the looser reading, also printed). On non-slippery ice every move has one outcome, so
agora reads it from Gymnasium's own transition table ``FrozenLakeEnv.P`` (the table ``step`` reads) instead of
calling ``step``, which would spend most of its time drawing a random number from a one-outcome distribution;
on slippery ice agora calls Gymnasium's ``step`` itself (same RNG, same draws), so the slippery rows are the
plain "wrapper on top of upstream" measure.

**Oracle and random success.** Over ``--seeds`` seeds per id (each id's own turn limit): the share of
episodes the ``oracle`` and a random agent solve. The random agent of the puzzles is agora's ``random``
(a uniformly random move each turn); for 24 points it is ``random_expression`` (the four values in a random
order and bracketing with random operators: the generic ``random`` agent has no legal moves to pick there,
so it would always score 0). On slippery ice the oracle's rate sits beside the mean of
``info["success_probability"]`` (the optimal policy's chance, without a turn limit).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

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


GYM_4X4 = ["SFFF", "FHFH", "FFFH", "HFFG"]
"""Gymnasium's own 4x4 map: from the start, Left and Up slide to frozen tiles only, so no episode ends."""


def _interleaved(runs: dict[str, Callable[[int], Any]], steps: int) -> dict[str, float]:
    """Median µs of one call of each run, calling them in turn `steps` times."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    clock = time.perf_counter
    for i in range(steps):  # one step of each in turn: a busy moment on the shared machine hits all of them
        for name, step in runs.items():
            start = clock()
            step(i)
            times[name].append(clock() - start)
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def frozen_lake_head_to_head(steps: int) -> list[dict]:
    """Per-step µs of Gymnasium's FrozenLake (bare, with its ansi render, slippery) and agora's, same map."""
    env = agora.make("puzzles/FrozenLake-v0")
    env.reset(seed=0)
    desc = env.unwrapped.desc
    bare = FrozenLakeEnv(desc=desc, is_slippery=False)
    ansi = FrozenLakeEnv(desc=desc, is_slippery=False, render_mode="ansi")
    bare.reset(seed=0)
    ansi.reset(seed=0)
    actions, names = (0, 3), ("Left", "Up")
    slippery_env = agora.make("puzzles/FrozenLake-slippery-v0")
    slippery_env.reset(seed=0, options={"map": GYM_4X4})
    lake = slippery_env.unwrapped.lake
    slippery_bare = FrozenLakeEnv(desc=GYM_4X4, is_slippery=True)
    slippery_bare.reset(seed=0)

    def bare_slide(i: int) -> Any:
        slippery_bare.s = 0
        return slippery_bare.step(actions[i & 1])

    def agora_slide(i: int) -> Any:
        lake.s = 0
        return slippery_env.step(names[i & 1])

    medians = _interleaved(  # all five in one loop, so a busy moment of the machine hits each of them
        {
            "gymnasium FrozenLakeEnv.step": lambda i: bare.step(actions[i & 1]),
            "gymnasium step + render('ansi')": lambda i: (ansi.step(actions[i & 1]), ansi.render()),
            "agora puzzles/FrozenLake-v0 step": lambda i: env.step(names[i & 1]),
            "gymnasium FrozenLakeEnv.step (slippery)": bare_slide,
            "agora FrozenLake-slippery-v0 step": agora_slide,
        },
        steps,
    )
    plain = {name: us for name, us in list(medians.items())[:3]}
    slippery = {name: us for name, us in list(medians.items())[3:]}
    base, text_base = plain["gymnasium FrozenLakeEnv.step"], plain["gymnasium step + render('ansi')"]
    rows = [
        {
            "run": name,
            "step_us": round(us, 2),
            "vs_upstream_step_pct": round(100 * (us / base - 1), 1),
            "vs_upstream_step_and_render_pct": round(100 * (us / text_base - 1), 1),
        }
        for name, us in plain.items()
    ]
    slippery_base = slippery["gymnasium FrozenLakeEnv.step (slippery)"]
    rows += [
        {"run": name, "step_us": round(us, 2), "vs_upstream_step_pct": round(100 * (us / slippery_base - 1), 1)}
        for name, us in slippery.items()
    ]
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


RANDOM_AGENT = {"reasoning/TwentyFour-v0": "random_expression", "reasoning/VisualTwentyFour-v0": "random_expression"}
"""The random baseline per id where the generic ``random`` agent has nothing to pick from (see the module docs)."""


def success_rates(env_id: str, seeds: int) -> dict:
    """The share of `seeds` episodes (seeds 0..) the oracle and the random agent solve, within the id's turn limit."""
    env = agora.make(env_id)
    table = env.unwrapped.scripted_agents
    row: dict[str, Any] = {"env": env_id, "seeds": seeds, "max_turns": agora.spec(env_id).max_turns}
    optima, chances = [], []
    for role, spec in (("oracle", "oracle"), ("random", RANDOM_AGENT.get(env_id, "random"))):
        solved = 0
        for seed in range(seeds):
            agent = resolve_agent(spec, seed=seed, table=table)
            obs, info = env.reset(seed=seed)
            if role == "oracle":
                optima.append(info.get("optimal_length", 1))
                chances += [info["success_probability"]] if "success_probability" in info else []
            terminated = truncated = False
            while not (terminated or truncated):
                obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
            solved += terminated and reward > 0  # Sokoban ends only when solved; FrozenLake and 24 pay 1 on success
        row[f"{role}_success"] = round(solved / seeds, 4)
        row[f"{role}_agent"] = spec
    env.close()
    row["optimal_length_mean"], row["optimal_length_max"] = round(statistics.mean(optima), 2), max(optima)
    if chances:
        row["optimal_policy_success_probability_mean"] = round(statistics.mean(chances), 4)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    print(f"load average: {load_average()}")
    rows = [measure_env(env_id, args.episodes) for env_id in IDS]
    print(f"{'env':<32} {'reset (µs)':>11} {'step (µs)':>10} {'oracle moves':>13}")
    for row in rows:
        print(f"{row['env']:<32} {row['reset_us']:>11.1f} {row['step_us']:>10.1f} {row['moves_per_episode']:>13.2f}")
    versus = frozen_lake_head_to_head(args.steps)
    print(f"\n{'FrozenLake, same map (medians)':<42} {'step (µs)':>10} {'vs bare step':>13} {'vs step+ansi':>13}")
    for row in versus[:-1]:
        text = row.get("vs_upstream_step_and_render_pct")
        print(
            f"{row['run']:<42} {row['step_us']:>10.2f} {row['vs_upstream_step_pct']:>12.1f}% "
            + (f"{text:>12.1f}%" if text is not None else f"{'':>13}")
        )
    upstream, ours = versus[-1]["upstream_reset_us"], versus[-1]["agora_reset_us"]
    print(f"reset: Gymnasium's map + env + reset {upstream:.1f} µs, agora's reset {ours:.1f} µs (medians)")
    success = [success_rates(env_id, args.seeds) for env_id in IDS]
    header = f"env ({args.seeds} seeds)"
    print(f"\n{header:<32} {'turns':>5} {'optimal mean/max':>17} {'oracle':>7} {'random':>7}")
    for row in success:
        extra = (
            f"  (optimal policy: {row['optimal_policy_success_probability_mean']:.1%})"
            if "optimal_policy_success_probability_mean" in row
            else ""
        )
        print(
            f"{row['env']:<32} {row['max_turns']:>5} {row['optimal_length_mean']:>11.2f} / "
            f"{row['optimal_length_max']:<3} {row['oracle_success']:>7.1%} {row['random_success']:>7.1%}{extra}"
        )
    record("puzzles", rows + versus + success, settings=vars(args))


if __name__ == "__main__":
    main()
