"""Rollout engine overhead: an agent with a fixed latency plays TicTacToe against random at several concurrencies.

Two measures of the share of wall time spent outside the agent, side by side:

* **vs zero-cost engine** (the goal's measure): a zero-cost engine would schedule the same episodes
  (in the same order, each taking its number of agent calls x latency) on the same number of
  workers; its wall time is that schedule's makespan, computed from the run's own episodes. The
  share is (wall - makespan) / wall, so queueing imbalance at the end of a run counts only where
  the engine causes it.
* **per episode**: (episode wall - calls x latency) / episode wall, summed over episodes: what the
  env, the event loop and the recording add to each episode.

"CPU us/turn" (process CPU time per agent call, all threads) is the engine's own cost,
independent of other load; on a shared machine the two shares also hold time spent waiting for a
CPU, so note the load average (printed) with the numbers. Each concurrency runs on asyncio's loop
and, when installed (``pip install 'agora[rollout]'``), on uvloop (the engine's default then).

    python benchmarks/rollout.py [--latency-ms 50] [--opponent random] [--concurrency 1 16 64 256 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import os
import random
import time

from rich.console import Console
from rich.table import Table

from agora import rollout
from agora.agent import Agent


class FixedLatencyAgent(Agent):
    """Waits `latency_s` (as an LLM call would, without using the CPU), then plays a random legal move."""

    name = "fixed-latency"

    def __init__(self, latency_s: float, seed: int | None = None):
        self.latency_s = latency_s
        self.random = random.Random(seed)

    def fork(self) -> FixedLatencyAgent:
        return FixedLatencyAgent(self.latency_s, seed=0)  # reseeded by reset() before each episode

    def reset(self, seed: int | None = None) -> None:
        self.random.seed(seed)

    def act(self, observation, info):
        legal = info.get("legal_actions") or ["[0]"]
        return legal[self.random.randrange(len(legal))]

    async def aact(self, observation, info):
        await asyncio.sleep(self.latency_s)
        return self.act(observation, info)


def zero_cost_makespan(calls_per_episode: list[int], workers: int, latency_s: float) -> float:
    """Wall time of a zero-cost engine: episodes in order on `workers` workers, each calls x latency long."""
    free = [0.0] * min(workers, max(len(calls_per_episode), 1))
    for calls in calls_per_episode:
        heapq.heappush(free, heapq.heappop(free) + calls * latency_s)
    return max(free)


def measure(env_id: str, concurrency: int, latency_s: float, episodes: int, env_kwargs: dict, loop: str) -> dict:
    results = []

    async def main() -> None:
        results.append(await rollout.arun(env_id, FixedLatencyAgent(latency_s), episodes=episodes,
                                          concurrency=concurrency, env_kwargs=env_kwargs))

    start, cpu_start = time.perf_counter(), time.process_time()
    if loop == "uvloop":
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    ok = [e for e in results[0].episodes if e.status == "ok"]
    calls = [len(e.turns) for e in ok]
    total = sum(e.timings["wall_s"] for e in ok)
    ideal = zero_cost_makespan(calls, concurrency, latency_s)
    return {
        "episodes": len(ok),
        "wall_s": wall,
        "ideal_s": ideal,
        "calls_per_s": sum(calls) / wall,
        "vs_zero_cost": (wall - ideal) / wall,
        "per_episode": sum(e.timings["wall_s"] - len(e.turns) * latency_s for e in ok) / total,
        "cpu_us_per_turn": cpu / max(sum(calls), 1) * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="games/TicTacToe-v0")
    parser.add_argument("--opponent", default="random", help="'none' for self-play of the AEC game")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64, 256, 1024])
    parser.add_argument("--waves", type=int, default=3, help="episodes = waves x concurrency (at least 10)")
    parser.add_argument("--loop", nargs="+", default=["asyncio", "uvloop"], choices=["asyncio", "uvloop"])
    args = parser.parse_args()
    env_kwargs = {} if args.opponent == "none" else {"opponent": args.opponent}
    loops = [lp for lp in args.loop if lp == "asyncio" or _has_uvloop()]
    table = Table("loop", "concurrency", "episodes", "wall s", "zero-cost s", "agent calls/s", "vs zero-cost engine",
                  "per episode", "CPU us/turn",
                  title=f"{args.env} ({'self-play' if not env_kwargs else 'vs ' + args.opponent}), agent latency "
                  f"{args.latency_ms:.0f} ms; load average before: {_load()}")
    for loop in loops:
        for c in args.concurrency:
            row = measure(args.env, c, args.latency_ms / 1000, max(10, args.waves * c), env_kwargs, loop)
            table.add_row(loop, str(c), str(row["episodes"]), f"{row['wall_s']:.2f}", f"{row['ideal_s']:.2f}",
                          f"{row['calls_per_s']:.0f}", f"{row['vs_zero_cost']:.1%}", f"{row['per_episode']:.1%}",
                          f"{row['cpu_us_per_turn']:.0f}")
    table.caption = f"load average after: {_load()}"
    Console(width=160).print(table)


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
