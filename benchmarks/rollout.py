"""Rollout engine overhead: an agent with a fixed latency plays TicTacToe against random at several concurrencies.

Two measures of the share of wall time spent outside the agent, side by side:

* **vs zero-cost engine** (the goal's measure): a zero-cost engine would schedule the same episodes
  (in the same order, each taking its number of agent calls x latency) on the same number of
  workers (the run's concurrency, whatever the number of processes); its wall time is that
  schedule's makespan, computed from the run's own episodes. The share is (wall - makespan) / wall,
  so queueing imbalance at the end of a run counts only where the engine causes it.
* **per episode**: (episode wall - calls x latency) / episode wall, summed over episodes: what the
  env, the event loop and the recording add to each episode.

"CPU us/turn" (CPU time per agent call, all threads of the process and of its worker processes) is
the engine's own cost, independent of other load; on a shared machine the two shares also hold time
spent waiting for a CPU, so note the load average (printed) with the numbers. Each concurrency runs
on asyncio's loop and, when installed (``pip install 'agora[rollout]'``), on uvloop (the engine's
default then). ``--processes N`` shards the episodes over N worker processes (`rollout.run(...,
processes=N)`); ``--out`` records them to a JSONL file as a real run does.

``--stages`` adds a second run per row, one process, that times each stage of the per-call path
(nanosecond counters around the env, the turn records, the episode setup, the JSONL writer, the
progress bar and the garbage collector; the rest is the event loop's timers and task switches and
the agent dispatch) and prints them as microseconds per agent call. ``--profile`` prints cProfile's
top functions of one more run.

    python benchmarks/rollout.py [--latency-ms 50] [--concurrency 1 16 64 256 1024] [--processes 1 2]
                                 [--loop uvloop] [--out] [--stages] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import heapq
import pstats
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import _bench
from _bench import load_average
from rich.console import Console
from rich.table import Table

from agora import rollout
from agora.agent import Agent
from agora.splitmix import SplitMix64


class FixedLatencyAgent(Agent):
    """Waits `latency_s` (as an LLM call would, without using the CPU), then plays a random legal move."""

    name = "fixed-latency"
    own_ns = 0
    """Nanoseconds spent in `act` (the agent's own work), summed over every instance while `--stages` runs."""

    def __init__(self, latency_s: float, seed: int | None = None):
        self.latency_s = latency_s
        self.draws = SplitMix64(seed)

    def fork(self) -> FixedLatencyAgent:
        return type(self)(self.latency_s, seed=0)  # reseeded by reset() before each episode

    def reset(self, seed: int | None = None) -> None:
        self.draws = SplitMix64(seed)

    def act(self, observation, info):
        legal = info.get("legal_actions") or ["[0]"]
        return legal[self.draws.below(len(legal))]

    async def aact(self, observation, info):
        await asyncio.sleep(self.latency_s)
        return self.act(observation, info)


class TimedAgent(FixedLatencyAgent):
    """`FixedLatencyAgent` that adds the time of its own work to `FixedLatencyAgent.own_ns`."""

    def act(self, observation, info):
        start = time.thread_time_ns()
        try:
            return super().act(observation, info)
        finally:
            FixedLatencyAgent.own_ns += time.thread_time_ns() - start


def zero_cost_makespan(calls_per_episode: list[int], workers: int, latency_s: float) -> float:
    """Wall time of a zero-cost engine: episodes in order on `workers` workers, each calls x latency long."""
    free = [0.0] * min(workers, max(len(calls_per_episode), 1))
    for calls in calls_per_episode:
        heapq.heappush(free, heapq.heappop(free) + calls * latency_s)
    return max(free)


def play(
    env_id: str,
    agent: Agent,
    concurrency: int,
    episodes: int,
    env_kwargs: dict,
    loop: str,
    processes: int,
    out: Path | None,
    progress: bool = False,
) -> rollout.RolloutResult:
    results = []

    async def main() -> None:
        more = {"processes": processes} if processes > 1 else {}  # runs on the engine before processes too
        results.append(
            await rollout.arun(
                env_id,
                agent,
                episodes=episodes,
                concurrency=concurrency,
                env_kwargs=env_kwargs,
                out=out,
                progress=progress,
                **more,
            )
        )

    if out is not None and out.exists():
        out.unlink()
    if loop == "uvloop":
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())
    return results[0]


def measure(
    env_id: str,
    concurrency: int,
    latency_s: float,
    episodes: int,
    env_kwargs: dict,
    loop: str,
    processes: int = 1,
    out: Path | None = None,
) -> dict:
    start, cpu_start = time.perf_counter(), time.process_time()
    result = play(env_id, FixedLatencyAgent(latency_s), concurrency, episodes, env_kwargs, loop, processes, out)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start + getattr(result, "worker_cpu_s", 0.0)  # workers report theirs
    ok = [e for e in result.episodes if e.status == "ok"]
    calls = [len(e.turns) for e in ok]
    total = sum(e.timings["wall_s"] for e in ok)
    ideal = zero_cost_makespan(calls, concurrency, latency_s)
    return {
        "processes": getattr(result, "processes", 1),
        "episodes": len(ok),
        "wall_s": wall,
        "ideal_s": ideal,
        "calls_per_s": sum(calls) / wall,
        "vs_zero_cost": (wall - ideal) / wall,
        "per_episode": sum(e.timings["wall_s"] - len(e.turns) * latency_s for e in ok) / total,
        "cpu_us_per_turn": cpu / max(sum(calls), 1) * 1e6,
    }


STAGES = {
    "env": "env (reset, step, the opponent's move; builds)",
    "agent": "the agent's own work (its act, after the wait)",
    "turns": "turn records",
    "setup": "episode setup (seat agents: fork, reseed)",
    "jsonl": "JSONL (to_json, write, flush, fsync)",
    "progress": "progress bar",
    "gc": "garbage collector",
}


class StageClock:
    """CPU-time counters (of the calling thread, in ns) around the stages of the per-call path, for one run.

    Each stage is timed by wrapping its functions; a call inside another timed call (the game's reset
    inside the adapter's) counts once, in the outer stage.
    """

    def __init__(self):
        self.ns: dict[str, int] = defaultdict(int)
        self._undo: list = []
        self._gc_start = 0
        self._depth = threading.local()

    def wrap(self, owner, name: str, stage: str) -> None:
        original = getattr(owner, name)
        counters, depth = self.ns, self._depth

        def timed(*args, **kwargs):
            outer = not getattr(depth, "n", 0)
            depth.n = getattr(depth, "n", 0) + 1
            start = time.thread_time_ns()
            try:
                return original(*args, **kwargs)
            finally:
                depth.n -= 1
                if outer:
                    counters[stage] += time.thread_time_ns() - start

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.thread_time_ns()
        else:
            self.ns["gc"] += time.thread_time_ns() - self._gc_start

    def __enter__(self) -> StageClock:
        import agora
        from agora.game import TurnBasedGame
        from agora.rollout import core, episode, report, writer
        from agora.wrappers import EnforceOrder

        self.wrap(agora, "make", "env")
        for owner, name in (
            (EnforceOrder, "reset"),
            (EnforceOrder, "step"),
            (TurnBasedGame, "reset"),
            (episode, "game_step"),
            (episode, "game_view"),
        ):
            self.wrap(owner, name, "env")
        self.wrap(episode, "_new_turn", "turns")
        self.wrap(core.Engine, "seat_agents", "setup")
        self.wrap(writer.EpisodeWriter, "write", "jsonl")
        self.wrap(core, "_write_batch", "jsonl")
        self.wrap(report.RolloutProgress, "update", "progress")
        gc.callbacks.append(self._gc)
        FixedLatencyAgent.own_ns = 0
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._gc)
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self.ns["agent"] = FixedLatencyAgent.own_ns


def stage_table(
    env_id: str,
    concurrency: int,
    latency_s: float,
    episodes: int,
    env_kwargs: dict,
    loop: str,
    out: Path | None,
    progress: bool,
) -> Table:
    """One run with every stage timed (one process): microseconds per agent call and share of the CPU time."""
    clock = StageClock()
    cpu_start = time.process_time()
    with clock:
        result = play(env_id, TimedAgent(latency_s), concurrency, episodes, env_kwargs, loop, 1, out, progress)
    cpu_ns = (time.process_time() - cpu_start) * 1e9
    calls = max(sum(len(e.turns) for e in result.episodes), 1)
    table = Table(
        "stage",
        "us per agent call",
        "share of CPU",
        title=f"Per-call path at {concurrency} episodes ({loop}, one process{', JSONL' if out else ''}"
        f"{', progress bar' if progress else ''}): {calls} agent calls, "
        f"{cpu_ns / calls / 1e3:.0f} us CPU each; load average {load_average()}",
    )
    for stage, label in STAGES.items():
        table.add_row(label, f"{clock.ns[stage] / calls / 1e3:.1f}", f"{clock.ns[stage] / cpu_ns:.1%}")
    rest = cpu_ns - sum(clock.ns[s] for s in STAGES)
    table.add_row(
        "the rest: event loop (timers, task switches), agent dispatch, engine bookkeeping",
        f"{rest / calls / 1e3:.1f}",
        f"{rest / cpu_ns:.1%}",
    )
    table.add_row("total (process CPU time)", f"{cpu_ns / calls / 1e3:.1f}", "100%")
    return table


def profile(
    env_id: str, concurrency: int, latency_s: float, episodes: int, env_kwargs: dict, loop: str, out: Path | None
) -> None:
    """cProfile's top functions (by own time) of one run, one process."""
    profiler = cProfile.Profile()
    profiler.enable()
    play(env_id, FixedLatencyAgent(latency_s), concurrency, episodes, env_kwargs, loop, 1, out)
    profiler.disable()
    print(f"cProfile, {concurrency} episodes at once ({loop}), top 25 by own time:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="games/TicTacToe-v0")
    parser.add_argument("--opponent", default="random", help="'none' for self-play of the AEC game")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64, 256, 1024])
    parser.add_argument("--processes", type=int, nargs="+", default=[1], help="worker processes per run")
    parser.add_argument("--waves", type=int, default=3, help="episodes = waves x concurrency (at least 10)")
    parser.add_argument("--loop", nargs="+", default=["asyncio", "uvloop"], choices=["asyncio", "uvloop"])
    parser.add_argument("--out", action="store_true", help="record the episodes to a JSONL file (a temp dir)")
    parser.add_argument("--stages", action="store_true", help="print the per-call breakdown of each row")
    parser.add_argument("--progress", action="store_true", help="show the progress bar in --stages runs")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of each row")
    args = parser.parse_args()
    env_kwargs = {} if args.opponent == "none" else {"opponent": args.opponent}
    loops = [lp for lp in args.loop if lp == "asyncio" or _has_uvloop()]
    console = Console(width=160)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "episodes.jsonl" if args.out else None
        # Warm-up, untimed: the first run imports the env's modules, and worker processes fork from a server
        # that imports agora once per session; the rows measure the engine, not Python's imports.
        measure(args.env, 2, 0.0, 4, env_kwargs, loops[0], max(args.processes), None)
        table = Table(
            "loop",
            "processes",
            "concurrency",
            "episodes",
            "wall s",
            "zero-cost s",
            "agent calls/s",
            "vs zero-cost engine",
            "per episode",
            "CPU us/turn",
            title=f"{args.env} ({'self-play' if not env_kwargs else 'vs ' + args.opponent}), agent latency "
            f"{args.latency_ms:.0f} ms{', JSONL recorded' if out else ''}; "
            f"load average before: {load_average()}",
        )
        extra, recorded = [], []
        for loop in loops:
            for c in args.concurrency:
                episodes = max(10, args.waves * c)
                for processes in args.processes:
                    row = measure(args.env, c, args.latency_ms / 1000, episodes, env_kwargs, loop, processes, out)
                    recorded.append({"loop": loop, "concurrency": c, **row})
                    table.add_row(
                        loop,
                        str(row["processes"]),
                        str(c),
                        str(row["episodes"]),
                        f"{row['wall_s']:.2f}",
                        f"{row['ideal_s']:.2f}",
                        f"{row['calls_per_s']:.0f}",
                        f"{row['vs_zero_cost']:.1%}",
                        f"{row['per_episode']:.1%}",
                        f"{row['cpu_us_per_turn']:.0f}",
                    )
                if args.stages:
                    extra.append(
                        stage_table(args.env, c, args.latency_ms / 1000, episodes, env_kwargs, loop, out, args.progress)
                    )
                if args.profile:
                    profile(args.env, c, args.latency_ms / 1000, episodes, env_kwargs, loop, out)
        table.caption = f"load average after: {load_average()}"
        console.print(table)
        _bench.record("rollout", recorded, settings=vars(args))
        for stages in extra:
            console.print(stages)


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
