"""Reset and step latency of the text, tools and reasoning families (scripted actions, one process).

Run: .venv/bin/python benchmarks/text_tools_reasoning_envs.py [--episodes N]
TextWorld games come from the on-disk cache (the first run generates them); the MCP server is
started once per env and emptied with its reset tool between episodes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import _bench

import agora


def sql_action(env):
    return json.dumps({"name": "sql", "arguments": {"query": "SELECT COUNT(*) FROM sqlite_master"}})


def search_action(env):
    return json.dumps({"name": "search", "arguments": {"query": env.unwrapped.task.question}})


def mcp_action(env):
    return json.dumps({"name": "list_notes", "arguments": {}})


def textworld_action(env):
    return "look"


def reasoning_action(env):
    return "<answer>0</answer>"


CASES = {
    "text/TextWorld-v0": textworld_action,
    "tools/SQL-v0": sql_action,
    "tools/Search-v0": search_action,
    "tools/MCP-v0": mcp_action,
    "reasoning/Arithmetic-v0": reasoning_action,
    "reasoning/Countdown-v0": reasoning_action,
}


def measure(env_id: str, action_for, episodes: int) -> tuple[float, float, float]:
    start = time.perf_counter()
    env = agora.make(env_id)
    env.reset(seed=0)
    first = time.perf_counter() - start
    resets, steps = [], []
    for episode in range(episodes):
        t = time.perf_counter()
        env.reset(seed=episode % 4)  # TextWorld: 4 cached games
        resets.append(time.perf_counter() - t)
        t = time.perf_counter()
        env.step(action_for(env))
        steps.append(time.perf_counter() - t)
    env.close()
    return first, statistics.median(resets), statistics.median(steps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=20)
    args = parser.parse_args()
    print(f"{'env':<26} {'make+first reset (s)':>21} {'reset (ms)':>11} {'step (ms)':>10}")
    rows = []
    for env_id, action_for in CASES.items():
        first, reset, step = measure(env_id, action_for, args.episodes)
        print(f"{env_id:<26} {first:>21.2f} {reset * 1e3:>11.2f} {step * 1e3:>10.2f}")
        rows.append({"env": env_id, "first_reset_s": first, "reset_ms": reset * 1e3, "step_ms": step * 1e3})
    _bench.record("text_tools_reasoning_envs", rows, settings=vars(args))


if __name__ == "__main__":
    main()
