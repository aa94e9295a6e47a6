"""Rollout engine overhead: a mock agent with a fixed latency plays a game at several concurrencies.

Prints episodes/s and the share of wall time spent outside the agent: per episode,
(wall time - calls x latency) / wall time, summed over episodes. That share is what the env, the
thread pool, the event loop and the recording cost on top of a perfectly parallel agent. On a
shared machine that share also holds time spent waiting for a CPU; "CPU us/turn" (process CPU time
per agent call, all threads) is the engine's own cost, independent of other load.

Each concurrency runs twice: every env call in the thread pool ("threads", the default), and with
`inline_env_calls_below_s=0.5 ms` ("auto": envs proven faster than that step on the loop).

    python benchmarks/rollout.py [--latency-ms 50] [--env games/TicTacToe-v0] [--concurrency 1 16 64 256]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from rich.console import Console
from rich.table import Table

from agora import rollout
from agora.agent import SeededAgent


class FixedLatencyAgent(SeededAgent):
    """Waits `latency_s` (as an LLM call would, without using the CPU), then plays a random legal move."""

    name = "fixed-latency"

    def __init__(self, latency_s: float, seed: int | None = None):
        super().__init__(seed)
        self.latency_s = latency_s
        self.calls = 0

    def act(self, observation, info):
        legal = info.get("legal_actions") or ["[0]"]
        return self.choice(legal)

    async def aact(self, observation, info):
        await asyncio.sleep(self.latency_s)
        return self.act(observation, info)


def measure(env_id: str, concurrency: int, latency_s: float, episodes: int, env_kwargs: dict,
            inline_below_s: float = 0.0) -> dict:
    agent = FixedLatencyAgent(latency_s)
    start, cpu_start = time.perf_counter(), time.process_time()
    result = rollout.run(env_id, agent, episodes=episodes, concurrency=concurrency, env_kwargs=env_kwargs,
                         inline_env_calls_below_s=inline_below_s)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    ok = [e for e in result.episodes if e.status == "ok"]
    calls = sum(len(e.turns) for e in ok)
    total = sum(e.timings["wall_s"] for e in ok)
    outside = sum(e.timings["wall_s"] - len(e.turns) * latency_s for e in ok)
    env_s = sum(e.timings["env_s"] for e in ok)
    return {"episodes": len(ok), "wall_s": wall, "eps": len(ok) / wall, "calls_per_s": calls / wall,
            "outside": outside / total, "env_share": env_s / total,
            "cpu_us_per_turn": cpu / max(calls, 1) * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="games/TicTacToe-v0")
    parser.add_argument("--opponent", default=None, help="play the game as a single-agent env against it")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64, 256])
    parser.add_argument("--waves", type=int, default=3, help="episodes = waves x concurrency (at least 10)")
    args = parser.parse_args()
    env_kwargs = {"opponent": args.opponent} if args.opponent else {}
    table = Table("env calls", "concurrency", "episodes", "wall s", "episodes/s", "agent calls/s", "outside agent",
                  "in env calls", "CPU us/turn", title=f"{args.env} ({'vs ' + args.opponent if args.opponent else 'self-play'}), "
                                        f"agent latency {args.latency_ms:.0f} ms")
    for mode, inline_below_s in (("threads", 0.0), ("auto", 0.0005)):
        for c in args.concurrency:
            row = measure(args.env, c, args.latency_ms / 1000, max(10, args.waves * c), env_kwargs, inline_below_s)
            table.add_row(mode, str(c), str(row["episodes"]), f"{row['wall_s']:.2f}", f"{row['eps']:.1f}",
                          f"{row['calls_per_s']:.0f}", f"{row['outside']:.1%}", f"{row['env_share']:.1%}",
                          f"{row['cpu_us_per_turn']:.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
