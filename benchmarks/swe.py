"""swe/BugFix-v0: reset and grading latency, and oracle/noop over the shipped task set.

    python benchmarks/swe.py                       # every shipped task, oracle and noop (long: ~2 gradings/task)
    python benchmarks/swe.py --per-project 5       # a sample: 5 tasks of every project
    python benchmarks/swe.py --resets 50 --per-project 0   # reset latency only

Prints, per project, the oracle's and noop's mean reward (must be 1.0 and 0.0), the reset p50/p95 (a fresh
working copy from the warm pool) and the grading p50/p95 (``submit`` to its reward: packing the working
copy, a fresh container, the whole suite), next to the issue's targets (300 ms, 5 s). Notes the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import _bench

import agora
from agora.agent import resolve_agent
from agora.envs.swe.bug_fix.tasks import load_tasks, shipped_names


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else (values or [float("nan")])[0]


def episode(env, agent, task) -> tuple[float, float, float]:
    """(reward, reset seconds, submit seconds)."""
    agent.reset()
    start = time.perf_counter()
    obs, info = env.reset(options={"instance_id": task.instance_id})
    reset_s = time.perf_counter() - start
    while True:
        action = agent.act(obs, info)
        start = time.perf_counter()
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            if info.get("infra_error"):
                raise RuntimeError(f"{task.instance_id}: {info['infra_error']}")
            return float(reward), reset_s, time.perf_counter() - start


def reset_latency(env, tasks, n: int) -> list[float]:
    times = []
    for k in range(n):
        start = time.perf_counter()
        env.reset(options={"instance_id": tasks[k % len(tasks)].instance_id})
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-project", type=int, default=None, help="tasks per project (default: all)")
    parser.add_argument("--agents", default="oracle,noop")
    parser.add_argument("--resets", type=int, default=40)
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()
    env = agora.make("swe/BugFix-v0", tasks="all")
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    resets = reset_latency(env, env.unwrapped.tasks, args.resets)
    rows, grading = [], []
    for name in shipped_names():
        tasks = load_tasks(name)[: args.per_project]
        if not tasks:
            continue
        row = {"project": name, "tasks": len(tasks)}
        for agent_name in args.agents.split(","):
            agent = resolve_agent(agent_name, table=env.unwrapped.scripted_agents)
            results = [episode(env, agent, t) for t in tasks]
            row[agent_name] = statistics.mean(r for r, _, _ in results)
            grading += [g for _, _, g in results]
            row[f"{agent_name}_grade_p50_s"] = statistics.median(g for _, _, g in results)
        rows.append(row)
        print(json.dumps(row), flush=True)
    env.close()
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    print(f"{'what':<44}{'measured':>16}{'target':>10}")
    reset_ms = f"{pct(resets, 50) * 1e3:.0f} / {pct(resets, 95) * 1e3:.0f} ms"
    print(f"{'reset to a fresh working copy, p50 / p95':<44}{reset_ms:>16}{'300 ms':>10}")
    if grading:
        grade_s = f"{pct(grading, 50):.2f} / {pct(grading, 95):.2f} s"
        print(f"{'grading (submit -> reward), p50 / p95':<44}{grade_s:>16}{'5 s':>10}")
    for row in rows:
        scores = "  ".join(f"{a}={row[a]:.2f}" for a in args.agents.split(","))
        print(f"{row['project']:<14}{row['tasks']:>4} tasks  {scores}")
    summary = {"reset_p50_ms": pct(resets, 50) * 1e3, "reset_p95_ms": pct(resets, 95) * 1e3}
    if grading:
        summary.update(grade_p50_s=pct(grading, 50), grade_p95_s=pct(grading, 95))
    _bench.record("swe", rows, settings={**vars(args), **summary})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "reset_s": resets, "grading_s": grading}, f)


if __name__ == "__main__":
    main()
