"""Rollouts over several worker processes: the engine's one loop in each, one writer (the parent).

`agora.rollout.run(..., processes=N)` deals the planned episodes (after resume) over N worker
processes (`deal`: the run's `concurrency` is split between them, and each gets episodes in proportion
to its share; never more processes than `concurrency`).
Each worker plays its share with the ordinary engine (`play_jobs`: same game loop, seeding rule and
failure rules, so the same records as one process) and sends its finished episodes back a few at a
time (pickled, with their JSON lines when the run writes a file). The parent alone counts them,
shows the progress bar, applies `max_failure_rate` and writes the JSONL file: each episode id is
recorded once.

A worker killed by a signal (SIGKILL, the kernel's out-of-memory killer) takes with it the episodes
it had not sent: the parent records each of them as failed with `WorkerProcessLost`, an
infrastructure failure, so none is lost or written twice, and a resumed run plays them again
(``retry_infra_failures``). A worker that exits by itself without sending all its episodes (an
exception outside any episode, an argument that does not unpickle there) stops the run with
`WorkerProcessFailed`: that is a bug, which a resume would only repeat.

Workers start from a fork server that imports agora once per session (the first run with
processes pays about a second), so what they play must be importable there: env ids registered by
agora or a plugin (or at import of the main script), env factories and agent objects that pickle,
and agent specs a worker can build (scripted names, ``random``, ``module:callable``, model servers
``openai:URL#MODEL``). Specs that load a model in process (``hf:``, ``vllm:``, ``smollm2``) are
refused, as on Ray: serve the model once (`agora serve-model`) and pass ``openai:`` instead. The
fork server imports the main script, as `multiprocessing`'s spawn does: a script that runs with
processes needs the ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import multiprocessing
import pickle
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agora.errors import WorkerProcessFailed, WorkerProcessLost
from agora.rollout.core import Engine, env_sources, mark_failed, play_jobs, run_loop
from agora.rollout.episode import EpisodeJob
from agora.rollout.gc_pacing import paced_gc
from agora.rollout.report import RolloutProgress
from agora.rollout.settings import RolloutSettings
from agora.trajectory import Episode

IN_PROCESS_MODEL_PREFIXES = ("hf", "vllm", "smollm2")
"""Agent spec prefixes that load a model inside the process: refused where agents are built per worker."""
SEND_EVERY_EPISODES = 32
SEND_EVERY_S = 0.05
_PRELOAD = [
    "__main__",
    "agora",
    "agora.rollout.engine",
    "agora.rollout.processes",
    "agora.adapter",
    "agora.agents",
    "concurrent.futures.thread",
    "uvloop",
]
"""Modules the fork server imports once, so a worker starts in milliseconds (missing ones are skipped)."""


def check_portable_agents(agents: Any, jobs: Sequence[EpisodeJob], where: str) -> None:
    """Refuses agent specs that would load a model in `where` (e.g. "every Ray actor"); see the module docs."""
    sources = [agents, *(job.seats for job in jobs if job.seats is not None)]
    for source in sources:
        if source is None:
            continue
        if isinstance(source, str) or callable(getattr(source, "act", None)):
            specs = [source]
        else:
            specs = list(source.values() if isinstance(source, Mapping) else source)
        for spec in specs:
            if isinstance(spec, str) and spec.split(":", 1)[0].split("?", 1)[0] in IN_PROCESS_MODEL_PREFIXES:
                raise ValueError(
                    f"Agent {spec!r} would load a model inside {where}. Serve it once "
                    "(`agora serve-model PATH`) and pass 'openai:http://HOST:PORT/v1#NAME' instead."
                )


@dataclasses.dataclass
class _Shard:
    """One worker process: its jobs, the ids it has not sent yet, its end of the pipe."""

    index: int
    jobs: list[EpisodeJob]
    waiting: set[str]
    conn: Any = None
    process: Any = None


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def deal(todo: Sequence[EpisodeJob], processes: int, concurrency: int) -> tuple[list[_Shard], list[int]]:
    """Splits the jobs and the concurrency over at most `processes` workers (never more than `concurrency`).

    Slot s of the run's `concurrency` goes to worker s mod n, job i to the worker of slot i mod
    `concurrency`: each worker gets jobs in proportion to its slots.
    """
    slots = max(concurrency, 1)
    n = max(1, min(processes, len(todo), slots))
    shares = [slots // n + (k < slots % n) for k in range(n)]
    owned: list[list[EpisodeJob]] = [[] for _ in range(n)]
    for i, job in enumerate(todo):
        owned[i % slots % n].append(job)
    return [_Shard(k, jobs, {j.episode_id for j in jobs}) for k, jobs in enumerate(owned)], shares


async def play_in_processes(engine: Engine, env: Any, env_kwargs: dict[str, Any], todo: Sequence[EpisodeJob]) -> int:
    """Plays `todo` in worker processes, records every episode with `engine.record`; how many processes played.

    The run's settings (`engine.settings`) say how many processes and how many episodes at once in all.
    """
    settings = engine.settings
    shards, shares = deal(todo, settings.processes, settings.concurrency)
    n = len(shards)
    ctx = _context()
    with concurrent.futures.ThreadPoolExecutor(n, thread_name_prefix="agora-recv") as receivers:
        try:
            for shard in shards:
                args = (env, env_kwargs, engine.agent_source, _worker_settings(settings, shares[shard.index]))
                _start(ctx, shard, engine.writer is not None, args, n)
            tasks = [asyncio.create_task(_collect(engine, shard, receivers, n)) for shard in shards]
            try:
                await asyncio.gather(*tasks)
                return n
            except BaseException:
                for task in tasks:
                    task.cancel()
                _kill(shards)
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        finally:
            _kill(shards)
            for shard in shards:
                if shard.process is not None and shard.process.pid is not None:
                    shard.process.join()
                if shard.conn is not None:
                    shard.conn.close()


def _start(ctx: Any, shard: _Shard, with_json: bool, args: tuple[Any, ...], n: int) -> None:
    """Starts `shard`'s worker process with `args` (env, env kwargs, agents, settings); its jobs follow on the pipe."""
    parent_end, child_end = ctx.Pipe(duplex=True)
    shard.conn = parent_end
    shard.process = ctx.Process(  # its jobs follow on the pipe (`_collect`), so start() does not wait
        target=_worker_main, name=f"agora-rollout-{shard.index}", daemon=True, args=(child_end, with_json, *args)
    )
    try:
        shard.process.start()
    except (pickle.PicklingError, AttributeError, TypeError) as e:
        raise ValueError(
            f"processes={n} sends the env source and the agents to worker processes, which needs them to pickle: {e}"
        ) from e
    finally:
        child_end.close()


def _worker_settings(settings: RolloutSettings, concurrency: int) -> RolloutSettings:
    """A worker's settings: its share of the concurrency; the parent alone writes, shows progress and aborts."""
    return dataclasses.replace(
        settings,
        concurrency=concurrency,
        processes=1,
        out=None,
        progress=False,
        max_failure_rate=1.0,
        min_episodes_for_abort=1,
    )


def _kill(shards: list[_Shard]) -> None:
    for shard in shards:
        if shard.process is not None and shard.process.pid is not None and shard.process.is_alive():
            shard.process.kill()


async def _collect(engine: Any, shard: _Shard, receivers: concurrent.futures.Executor, n: int) -> None:
    """Sends a worker its jobs; records what it sends back until it ends; then the episodes it never sent.

    Those are recorded as infrastructure failures (see the module docs).
    """
    loop = asyncio.get_running_loop()
    jobs = pickle.dumps(shard.jobs, protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):  # a worker that died before reading them: its jobs are lost below
        await loop.run_in_executor(receivers, shard.conn.send_bytes, jobs)
    while True:
        try:
            message = await loop.run_in_executor(receivers, shard.conn.recv_bytes)
        except (EOFError, OSError):
            break
        tag, body = message[:1], message[1:]
        if tag == b"D":
            engine.worker_cpu_s += pickle.loads(body)["cpu_s"]
            break
        if tag == b"X":
            raise WorkerProcessFailed(f"rollout worker process {shard.index + 1} of {n} failed:\n{body.decode()}")
        for episode, line in pickle.loads(body):
            if episode.episode_id in shard.waiting:
                shard.waiting.discard(episode.episode_id)
                engine.record(episode, line)
    await loop.run_in_executor(receivers, shard.process.join)
    if shard.waiting and (shard.process.exitcode or 0) >= 0:  # it exited by itself: a bug, not the machine
        raise WorkerProcessFailed(
            f"rollout worker process {shard.index + 1} of {n} exited with code {shard.process.exitcode} without "
            f"sending {len(shard.waiting)} of its episodes (its traceback, if any, is on stderr)"
        )
    if shard.waiting:
        lost = WorkerProcessLost(
            f"rollout worker process {shard.index + 1} of {n} (pid {shard.process.pid}) ended with exit code "
            f"{shard.process.exitcode} before it sent this episode"
        )
        for job in shard.jobs:
            if job.episode_id in shard.waiting:
                shard.waiting.discard(job.episode_id)
                episode = job.new_episode()
                mark_failed(episode, lost)
                engine.record(episode)


class _Sender:
    """Sends finished episodes to the parent, pickled, every `SEND_EVERY_EPISODES` or `SEND_EVERY_S`.

    With `with_json` (the parent writes a JSONL file), each goes with its JSON line, made here.
    """

    def __init__(self, conn: Any, with_json: bool):
        self.conn = conn
        self.with_json = with_json
        self.batch: list[tuple[Episode, str | None]] = []
        self.sent_at = time.monotonic()

    def __call__(self, episode: Episode) -> None:
        self.batch.append((episode, episode.to_json() if self.with_json else None))
        if len(self.batch) >= SEND_EVERY_EPISODES or time.monotonic() - self.sent_at >= SEND_EVERY_S:
            self.send()

    def send(self) -> None:
        if self.batch:
            self.conn.send_bytes(b"E" + pickle.dumps(self.batch, protocol=pickle.HIGHEST_PROTOCOL))
            self.batch = []
        self.sent_at = time.monotonic()


def _worker_main(
    conn: Any, with_json: bool, env: Any, env_kwargs: dict[str, Any], agents: Any, settings: RolloutSettings
) -> None:
    """A worker process: reads its jobs from `conn`, plays them with the engine's loop, sends every episode back."""
    sender = _Sender(conn, with_json)
    try:
        jobs: list[EpisodeJob] = pickle.loads(conn.recv_bytes())
        run_loop(_play_share(sender, env, env_kwargs, agents, jobs, settings))
        sender.send()
        conn.send_bytes(b"D" + pickle.dumps({"cpu_s": time.process_time()}))
    except BaseException:
        conn.send_bytes(b"X" + traceback.format_exc().encode("utf-8"))
        raise SystemExit(1) from None
    finally:
        conn.close()


async def _play_share(
    sender: Callable[[Episode], None],
    env: Any,
    env_kwargs: dict[str, Any],
    agents: Any,
    jobs: list[EpisodeJob],
    settings: RolloutSettings,
) -> None:
    with (
        concurrent.futures.ThreadPoolExecutor(settings.threads, thread_name_prefix="agora-env") as executor,
        paced_gc(),
    ):
        engine = Engine(
            env_sources(env, env_kwargs),
            agents,
            settings,
            executor=executor,
            progress=RolloutProgress(0, False),
            sink=sender,
        )
        await play_jobs(engine, jobs, settings.concurrency)
