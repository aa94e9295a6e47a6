"""Env server speed and scale, side by side in one run (issue 12).

    .venv/bin/python benchmarks/server.py            # all three parts
    .venv/bin/python benchmarks/server.py --skip-ray --sessions 2000
    .venv/bin/python benchmarks/server.py --only-ray --episodes 10000
    .venv/bin/python benchmarks/server.py --profile      # where a round trip's time goes (both ends)

1. Step round trip, TicTacToe against a random opponent (single-agent `GameEnv`), one client:
   in-process, a raw WebSocket echo of the same frame sizes over two transports (websockets' sync
   client against websockets' server on asyncio's loop, which `agora.remote` used before; agora's
   own client socket against the same server on uvloop, as `agora serve` runs: the floor), and
   `agora.remote` against `agora serve` in another process. p50/p90 in ms, and the CPU time each
   end spent per request (resets included; wall time on a loaded machine includes waits for a core).
   For reference: OpenEnv's WebSocket server 0.43 ms per step, NeMo-Gym's HTTP path 5.3 ms.
2. Concurrent sessions: N asyncio sessions (`AsyncRemoteEnv`) on one `agora serve` process with a
   trivial env (example/CountUp-v0); every session makes its env, resets and steps; counts answers
   and reports steps/s.
3. Ray: episodes/s for M TicTacToe episodes (random vs random opponent) on a local two-node cluster
   (head + worker node processes on 127.0.0.1) against the same run in-process.

The machine is shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import subprocess
import sys
import time

import _bench
from _bench import load_average
from rich.console import Console
from rich.table import Table

import agora
import agora.remote

console = Console(width=max(120, Console().width))  # the round-trip table needs about 120 columns
ENV_ID = "games/TicTacToe-v0"


def quantiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p90 in ms."""
    samples = sorted(samples)
    return samples[len(samples) // 2] * 1e3, samples[int(len(samples) * 0.9)] * 1e3


def start_server(*extra: str) -> tuple[subprocess.Popen, str]:
    """`agora serve --port 0` in its own process; returns it and its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "agora.cli", "serve", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    while True:
        line = proc.stdout.readline()
        found = re.search(r"listening on (ws://\S+)", line)
        if found:
            return proc, found.group(1)
        if not line:
            raise RuntimeError("agora serve did not start")


def cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system, every thread) used so far by this process, or by process `pid`."""
    if pid is None:
        return time.process_time()
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Run:
    """Round-trip samples and the CPU both ends spent per request (the machine's load does not inflate CPU
    time as much as it inflates wall time: a woken process waits for a core, then runs its own work)."""

    def __init__(self, server_pid: int | None = None):
        self.server_pid = server_pid
        self.times: list[float] = []
        self.requests = 0

    def __enter__(self) -> Run:
        self._cpu = (cpu_s(), cpu_s(self.server_pid) if self.server_pid else 0.0)
        return self

    def __exit__(self, *exc: object) -> None:
        n = max(self.requests, 1)
        self.client_us = (cpu_s() - self._cpu[0]) / n * 1e6
        self.server_us = (cpu_s(self.server_pid) - self._cpu[1]) / n * 1e6 if self.server_pid else None


def step_loop(env, steps: int, run: Run | None = None) -> list[float]:
    """Times `steps` env.step calls (resets excluded), legal moves, new game when one ends."""
    run = run or Run()
    times = run.times
    _, info = env.reset(seed=0)
    episode = 0
    for _ in range(steps):
        action = info["legal_actions"][0]
        start = time.perf_counter()
        _, _, terminated, truncated, info = env.step(action)
        times.append(time.perf_counter() - start)
        if terminated or truncated:
            episode += 1
            _, info = env.reset(seed=episode)
    run.requests += steps + episode + 1
    return times


ECHO = """
import asyncio, sys
from websockets.asyncio.server import serve
from agora.server.app import new_event_loop
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main():
    async with serve(echo, "127.0.0.1", 0, compression=None, ping_interval=None) as s:
        print(s.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()
if sys.argv[1] == "uvloop":
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main())
else:
    asyncio.run(main())
"""


def echo_loop(steps: int, reply: str, transport: str) -> Run:
    """A raw WebSocket echo server in another process; times round trips of reply-sized frames.

    ``websockets``: websockets' sync client (a reader thread) against its asyncio server on asyncio's
    loop, the transport `agora.remote` used before; ``agora``: agora's client socket
    (`agora.wire.transport.WireSocket`) against the same server on the loop `agora serve` runs (uvloop).
    """
    from websockets.sync.client import connect

    from agora.wire.transport import WireSocket

    loop = "uvloop" if transport == "agora" else "asyncio"
    proc = subprocess.Popen([sys.executable, "-c", ECHO, loop], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    run = Run(proc.pid)
    try:
        with contextlib.ExitStack() as stack:
            if transport == "agora":
                ws = WireSocket(f"ws://127.0.0.1:{port}", {}, open_timeout_s=10, max_size=1 << 20)
                stack.callback(ws.close)
                send, recv = ws.send_text, ws.recv
            else:
                ws = stack.enter_context(connect(f"ws://127.0.0.1:{port}", compression=None))
                send, recv = ws.send, ws.recv
            with run:
                for _ in range(steps):
                    start = time.perf_counter()
                    send(reply)
                    recv()
                    run.times.append(time.perf_counter() - start)
                run.requests = steps
    finally:
        proc.kill()
    return run


def part_round_trip(steps: int) -> Table:
    """Part 1 (see the module docs)."""
    local = agora.make(ENV_ID, opponent="random", seat=0)
    step_loop(local, 200)
    with Run() as in_process:
        step_loop(local, steps, in_process)
    proc, url = start_server()
    try:
        remote = agora.remote.make(url, ENV_ID, opponent="random", seat=0)
        step_loop(remote, 200)  # warm-up (the server inlines calls of envs it measured fast)
        with Run(proc.pid) as over_wire:
            step_loop(remote, steps, over_wire)
        remote.close()
    finally:
        proc.kill()
    from agora.server.session import _env_step
    from agora.wire import protocol as p

    local.reset(seed=0)
    reply = p.encode_reply(1, _env_step(local, "[4]"))[0]
    echo_old = echo_loop(steps, reply, "websockets")
    echo_new = echo_loop(steps, reply, "agora")
    table = Table(
        "TicTacToe step round trip",
        "p50 ms",
        "p90 ms",
        "client CPU us",
        "server CPU us",
        "note",
        title=f"1. Step round trip ({steps} steps; CPU per request, resets included)",
    )
    for name, run, note in (
        ("in-process agora", in_process, "opponent move included"),
        (f"WebSocket echo {len(reply)} B, websockets client", echo_old, "the transport used before"),
        (f"WebSocket echo {len(reply)} B, agora client", echo_new, "the floor (server on uvloop)"),
        ("agora.remote -> agora serve", over_wire, "goal p50 <= 0.15 ms"),
    ):
        p50, p90 = quantiles(run.times)
        server = "" if run.server_us is None else f"{run.server_us:.0f}"
        table.add_row(name, f"{p50:.3f}", f"{p90:.3f}", f"{run.client_us:.0f}", server, note)
    return table


async def _open(url: str, gate: asyncio.Semaphore):
    from agora.remote import AsyncRemoteEnv

    async with gate:  # connect in waves so the listen backlog never overflows
        return await AsyncRemoteEnv.create(url, "example/CountUp-v0")


async def _play(env, steps: int) -> tuple[int, int]:
    answered = stepped = 0
    await env.reset(seed=0)
    answered += 1
    for k in range(steps):
        _, _, terminated, truncated, _ = await env.step(str(k + 1))
        answered += 1
        stepped += 1
        if terminated or truncated:
            await env.reset(seed=k)
            answered += 1
    return answered, stepped


async def _many(url: str, sessions: int, steps: int) -> tuple[int, int, int, float, float]:
    """Opens every session (connect + make), then plays them all at once; counts answered requests."""
    gate = asyncio.Semaphore(128)
    t0 = time.perf_counter()
    envs = await asyncio.gather(*[_open(url, gate) for _ in range(sessions)], return_exceptions=True)
    connect_s = time.perf_counter() - t0
    opened = [e for e in envs if not isinstance(e, BaseException)]
    if len(opened) < sessions:
        console.print(f"[red]{sessions - len(opened)} sessions failed to open[/red]")
    t1 = time.perf_counter()
    results = await asyncio.gather(*[_play(env, steps) for env in opened], return_exceptions=True)
    play_s = time.perf_counter() - t1
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        console.print(f"[red]{len(failures)} sessions failed, first: {failures[0]!r}[/red]")
    await asyncio.gather(*[env.close() for env in opened], return_exceptions=True)
    done = [r for r in results if isinstance(r, tuple)]
    return sum(r[0] for r in done), sum(r[1] for r in done), len(done), connect_s, play_s


def part_sessions(sessions: int, steps: int) -> Table:
    """Part 2 (see the module docs)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * sessions + 256)), hard))
    proc, url = start_server("--max-sessions", str(sessions + 10))
    try:
        answered, stepped, served, connect_s, play_s = asyncio.run(_many(url, sessions, steps))
    finally:
        proc.kill()
    expected = sessions * (steps + 1)
    table = Table(
        "sessions",
        "sessions answered",
        "requests answered",
        "expected (at least)",
        "requests/s",
        "steps/s",
        "connect + make s",
        "play s",
        title=f"2. {sessions} concurrent sessions on one server process (example/CountUp-v0)",
    )
    table.add_row(
        str(sessions),
        str(served),
        str(answered),
        str(expected),
        f"{answered / play_s:,.0f}",
        f"{stepped / play_s:,.0f}",
        f"{connect_s:.1f}",
        f"{play_s:.1f}",
    )
    return table


def part_ray(episodes: int) -> Table:
    """Part 3 (see the module docs)."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # loopback-only nodes (see tests/remote/test_ray.py)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    from agora import rollout
    from agora.rollout.ray_runner import RayOptions, run_ray

    kwargs = {"env_kwargs": {"opponent": "random"}, "group_size": 1}
    t0 = time.perf_counter()
    local = rollout.run(ENV_ID, "random", episodes=episodes, concurrency=16, **kwargs)
    local_s = time.perf_counter() - t0
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.remote.test_ray import start_cluster  # the tests' two-node loopback cluster

    try:
        cluster = start_cluster()
    except Exception:  # Ray gives a raylet 30 s to register; a loaded machine may need one more try
        cluster = start_cluster()
    try:
        run_ray(ENV_ID, "random", episodes=64, ray_options=RayOptions(actors=4), **kwargs)  # actors start, import agora
        t0 = time.perf_counter()
        spread = RayOptions(actors=4, batch_size=250)
        remote = run_ray(ENV_ID, "random", episodes=episodes, ray_options=spread, seeds=None, **kwargs)
        ray_s = time.perf_counter() - t0
    finally:
        ray.shutdown()
        cluster.shutdown()
    same = [e.returns for e in remote.episodes] == [e.returns for e in local.episodes]
    table = Table(
        "run",
        "episodes",
        "wall s",
        "episodes/s",
        "note",
        title=f"3. {episodes} TicTacToe episodes: Ray two-node cluster vs in-process",
    )
    table.add_row(
        "in-process rollout.run", str(episodes), f"{local_s:.1f}", f"{episodes / local_s:,.0f}", "concurrency 16"
    )
    table.add_row(
        "Ray, 2 nodes x 1 CPU, 4 actors",
        str(len(remote.episodes)),
        f"{ray_s:.1f}",
        f"{episodes / ray_s:,.0f}",
        f"same returns as in-process: {same}",
    )
    return table


def main() -> None:
    """Runs the parts asked for and prints their tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--session-steps", type=int, default=10)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--only-ray", action="store_true")
    parser.add_argument("--skip-sessions", action="store_true")
    parser.add_argument("--profile", action="store_true", help="only the round trip's breakdown by stage")
    args = parser.parse_args()
    console.print(f"load average before: {load_average()} ({os.cpu_count()} cores)")
    if args.profile:
        from server_profile import profile_round_trip

        tables = [profile_round_trip(args.steps, step_loop)]
    else:
        parts = [] if args.only_ray else [lambda: part_round_trip(args.steps)]
        if not args.only_ray and not args.skip_sessions:
            parts.append(lambda: part_sessions(args.sessions, args.session_steps))
        if not args.skip_ray:
            parts.append(lambda: part_ray(args.episodes))
        tables = [part() for part in parts]
    for table in tables:
        console.print(table)
    console.print(f"load average after: {load_average()}")
    _bench.record("server", [row for t in tables for row in _bench.table_rows(t)], settings=vars(args))


if __name__ == "__main__":
    main()
