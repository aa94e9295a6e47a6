"""Where a step round trip's time goes, on both ends (``benchmarks/server.py --profile``; issue 12).

The server runs in its own process (``python benchmarks/server_profile.py --serve``), as `agora
serve` does, with CPU-time counters (`time.thread_time_ns`: wall time on this shared machine
counts waits for a core) wrapped around each stage of a request: the
read callback as a whole, websockets' frame parser, request decode and validation, the env call,
the reply's encoding, its framing and the socket write. The client (`agora.remote`, in the
benchmark's process) gets the same treatment. Process CPU time per request is measured on both
ends; what the counters do not cover (the event loop, the read syscall, the client's wait) is
shown as the rest. Each wrapper adds about 1 µs per call (two clock syscalls) to the stage it wraps.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from rich.table import Table

COUNTS: dict[str, list[int]] = {}
"""Stage name -> [calls, CPU nanoseconds] (in the process that wrapped the stage)."""


def wrap(owner: Any, attr: str, name: str) -> None:
    """Replaces ``owner.attr`` by a wrapper that adds its calls and time to ``COUNTS[name]``.

    A stage the code does not have (an older revision, profiled for comparison) is left out.
    """
    fn = getattr(owner, attr, None)
    if fn is None:
        return
    slot = COUNTS.setdefault(name, [0, 0])
    clock = time.thread_time_ns

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            slot[0] += 1
            slot[1] += clock() - start

    setattr(owner, attr, timed)


SERVER_STAGES = (
    ("read callback (all of it)", "FastPathConnection.data_received"),
    ("  frame parse (websockets)", "ServerProtocol.receive_data"),
    ("  fast path (all of it)", "EnvServer.answer_now"),
    ("    decode step (parse_step)", "protocol.parse_step"),
    ("    decode + validate request (pydantic)", "protocol.parse_request"),
    ("    dispatch (answer_inline)", "Session.answer_inline"),
    ("      env call (step + opponent)", "InlinePolicy.timed"),
    ("    encode reply", "protocol.encode_reply"),
    ("  frame reply (websockets)", "ServerProtocol.send_text"),
    ("  socket write (websockets' send_data)", "FastPathConnection.send_data"),
)
"""(name, wrapped function); a stage's figure includes the stages indented under it."""


def instrument_server() -> None:
    """Wraps the server's stages (`SERVER_STAGES`)."""
    from websockets.server import ServerProtocol

    from agora.env_calls import InlinePolicy
    from agora.server.app import EnvServer
    from agora.server.connection import FastPathConnection
    from agora.wire import protocol, session

    owners = {
        "FastPathConnection": FastPathConnection,
        "ServerProtocol": ServerProtocol,
        "EnvServer": EnvServer,
        "protocol": protocol,
        "Session": session.Session,
        "InlinePolicy": InlinePolicy,
    }
    for name, target in SERVER_STAGES:
        owner, attr = target.split(".")
        wrap(owners[owner], attr, name)


def serve_instrumented() -> None:
    """The child process: an instrumented `agora serve`; stdin ``reset`` zeroes the counters, ``dump`` prints them."""
    from agora.server.app import EnvServer, new_event_loop

    instrument_server()

    async def main() -> None:
        server = EnvServer("127.0.0.1", 0)
        await server.start()
        print(server.bound_port, flush=True)
        loop = asyncio.get_running_loop()
        cpu0 = time.process_time()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "reset":
                for slot in COUNTS.values():
                    slot[0] = slot[1] = 0
                cpu0 = time.process_time()
            elif line == "dump":
                print(json.dumps({"cpu_ns": (time.process_time() - cpu0) * 1e9, "counts": COUNTS}), flush=True)
            else:
                await server.stop()
                return

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main())


CLIENT_STAGES = (
    ("RemoteEnv.step (all of it, per step)", "RemoteEnv.step"),
    ("  encode request", "client._dumps"),
    ("  frame + socket write", "WireSocket.send_text"),
    ("  socket read + frame parse", "WireSocket.recv"),
    ("    frame parse (websockets)", "ClientProtocol.receive_data"),
    ("  parse reply", "protocol.parse_reply"),
)


def instrument_client() -> Callable[[], None]:
    """Wraps the client's stages (`CLIENT_STAGES`) in this process; returns the undo."""
    from websockets.client import ClientProtocol

    from agora.remote import client
    from agora.remote.env import RemoteEnv
    from agora.wire import protocol
    from agora.wire.transport import WireSocket

    owners = {
        "RemoteEnv": RemoteEnv,
        "client": client,
        "WireSocket": WireSocket,
        "ClientProtocol": ClientProtocol,
        "protocol": protocol,
    }
    saved = []
    for name, target in CLIENT_STAGES:
        owner, attr = target.split(".")
        saved.append((owners[owner], attr, getattr(owners[owner], attr)))
        wrap(owners[owner], attr, name)
    COUNTS.setdefault("  encode request", [0, 0])

    def undo() -> None:
        for owner, attr, fn in saved:
            setattr(owner, attr, fn)

    return undo


def profile_round_trip(steps: int, step_loop: Callable[..., Any]) -> Table:
    """Plays `steps` TicTacToe steps against the instrumented server; the breakdown of both ends as a table."""
    import subprocess

    import agora.remote

    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(proc.stdout.readline())
        env = agora.remote.make(f"ws://127.0.0.1:{port}", "games/TicTacToe-v0", opponent="random", seat=0)
        step_loop(env, 300)  # warm-up: the server inlines steps of an env it measured fast
        undo = instrument_client()
        try:
            for slot in COUNTS.values():
                slot[0] = slot[1] = 0
            proc.stdin.write("reset\n")
            proc.stdin.flush()
            cpu0 = time.process_time()
            times = step_loop(env, steps)
            client_cpu_ns = (time.process_time() - cpu0) * 1e9
            requests = COUNTS["  encode request"][0]
        finally:
            undo()
        proc.stdin.write("dump\n")
        proc.stdin.flush()
        server = json.loads(proc.stdout.readline())
        env.close()
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    times.sort()
    table = Table(
        "stage",
        "calls / request",
        "CPU µs / request",
        title=(
            f"Round-trip breakdown ({steps} TicTacToe steps, {requests} requests with resets; "
            f"p50 {times[len(times) // 2] * 1e3:.3f} ms with counters on)"
        ),
    )
    _rows(table, "server", server["counts"], server["cpu_ns"], requests, SERVER_STAGES[0][0])
    _rows(table, "client", COUNTS, client_cpu_ns, requests, None)
    return table


def _rows(
    table: Table, end: str, counts: dict[str, list[int]], cpu_ns: float, requests: int, covered: str | None
) -> None:
    table.add_row(f"[bold]{end}: process CPU[/bold]", "", f"[bold]{cpu_ns / requests / 1e3:.1f}[/bold]")
    stages = SERVER_STAGES if end == "server" else CLIENT_STAGES
    for name, _ in stages:
        calls, ns = counts.get(name, (0, 0))
        if name.startswith("RemoteEnv.step"):  # per step, not per request (resets are requests too)
            table.add_row(name, f"{calls / requests:.2f}", f"{ns / max(calls, 1) / 1e3:.1f}")
            continue
        table.add_row(name, f"{calls / requests:.2f}", f"{ns / requests / 1e3:.1f}")
    if covered is not None:
        rest = (cpu_ns - counts[covered][1]) / requests / 1e3
        table.add_row("  outside the read callback (event loop, read syscall)", "", f"{rest:.1f}", end_section=True)
    else:
        table.add_row("", "", "", end_section=True)


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve_instrumented()
