"""The async rollout engine: many episodes at once, recorded token in / token out, crash-safe.

`run(env, agents, episodes=..., group_size=..., concurrency=...)` plays episodes on `concurrency`
asyncio workers (on uvloop when installed). Each worker owns its env instances (one per env id,
reused across episodes); env calls run in a thread pool (agora's in-memory games step inline, see
`agora.env_calls.InlinePolicy`), agents act on the event loop, so concurrent LLM requests reach the backend
together and it batches them. Explicit ``jobs`` (`EpisodeJob`s naming each seat's agent) let a
caller such as a tournament schedule exactly what is played. Tasks are (env id, seed) pairs; each is played
`group_size` times (a *group*, for group-relative credit). Every agent spec is resolved once and
`fork()`ed per episode and seat, so one agent object can play every seat (self-play).

Failures (an env exception, ``info["infra_error"]``, an agent error or timeout) end that episode
with ``status="failed"``, the error and the traceback; it has no returns (never a disguised 0).
Other episodes go on; when more than `max_failure_rate` of at least `min_episodes_for_abort`
finished episodes failed, the run stops with `RolloutAborted`. With `out`, episodes are appended
to a JSONL file as they end (those that ended since the last write together: one flush and fsync
per batch); rerunning with the same `out` skips the episodes already there.

With ``processes=N`` the episodes are dealt over N worker processes, each running this engine's
loop on its share, and this process alone records them (`agora.rollout.processes`): for runs whose
engine and env work outgrow one core.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import functools
import math
import time
import traceback
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from agora.agent import Agent, resolve_agent
from agora.env_calls import InlinePolicy
from agora.errors import InfraError, RolloutAborted
from agora.rollout.episode import EpisodeJob, agent_seed, play_game, play_single
from agora.rollout.gc_pacing import paced_gc
from agora.rollout.report import RolloutProgress, summary_table
from agora.rollout.writer import EpisodeWriter
from agora.trajectory import Episode

EnvSource = str | Sequence[str] | Callable[[], Any]
AgentSource = str | Agent | Sequence[str | Agent] | Mapping[str, str | Agent]


@dataclasses.dataclass
class RolloutResult:
    """What a run produced: every episode (resumed ones included), counts and wall time."""

    episodes: list[Episode]
    new: int
    resumed: int
    wall_s: float
    worker_cpu_s: float = 0.0
    """CPU seconds spent in worker processes (``processes`` > 1); this process's own CPU time is not in it."""
    processes: int = 1
    """How many processes played the episodes (1: this one; `run`'s ``processes`` is a maximum)."""

    @property
    def failed(self) -> list[Episode]:
        """The failed episodes."""
        return [e for e in self.episodes if e.status == "failed"]

    def table(self) -> Any:
        """The summary as a rich `Table`."""
        return summary_table(self.episodes, self.wall_s)


def plan_jobs(
    env_ids: Sequence[str], episodes: int | None, group_size: int, seeds: Sequence[int] | None
) -> list[EpisodeJob]:
    """The episodes to play: every (env id, seed) task `group_size` times, cut to `episodes`."""
    if group_size < 1:
        raise ValueError(f"group_size must be >= 1, got {group_size}")
    if seeds is None:
        if episodes is None:
            raise ValueError("Give `episodes` or `seeds` (or both).")
        seeds = range(math.ceil(episodes / (group_size * len(env_ids))))
    jobs = [EpisodeJob(env_id, int(seed), k) for seed in seeds for env_id in env_ids for k in range(group_size)]
    return jobs if episodes is None else jobs[:episodes]


def _env_sources(env: EnvSource, env_kwargs: Mapping[str, Any]) -> dict[str, Callable[[], Any]]:
    if callable(env) and not isinstance(env, str):
        name = getattr(env, "env_id", None) or getattr(env, "__name__", "custom")
        return {str(name): env}
    import agora

    ids = [env] if isinstance(env, str) else list(env)
    return {env_id: functools.partial(agora.make, env_id, **env_kwargs) for env_id in ids}


def _is_game(env: Any) -> bool:
    from pettingzoo import AECEnv

    return isinstance(env, AECEnv)


def _in_memory(env: Any) -> bool:
    """Whether `env` is one of agora's turn-based games (pure Python rules), alone or behind `GameEnv`."""
    from agora.adapter import GameEnv
    from agora.game import TurnBasedGame

    return isinstance(getattr(env, "unwrapped", env), (TurnBasedGame, GameEnv))


def _registered_game(env_id: str) -> bool:
    """Whether `env_id` is registered as one of agora's turn-based games (known before building one)."""
    from agora.errors import AgoraError
    from agora.game import TurnBasedGame
    from agora.registry import spec

    try:
        creator = spec(env_id).load()
    except AgoraError:  # an unknown or broken id: building it fails the episode, with the error
        return False
    return isinstance(creator, type) and issubclass(creator, TurnBasedGame)


class _Engine:
    """State of one run: env factories, resolved agents, the thread pool, the writer, counters."""

    def __init__(
        self,
        sources: dict[str, Callable[[], Any]],
        agents: AgentSource,
        *,
        max_turns: int,
        timeout_s: float | None,
        writer: EpisodeWriter | None,
        executor: concurrent.futures.Executor,
        max_failure_rate: float,
        min_episodes_for_abort: int,
        progress: RolloutProgress,
        inline_below_s: float = 0.0,
        sink: Callable[[Episode], None] | None = None,
    ):
        self.sources = sources
        self.agent_source = agents
        self.max_turns = max_turns
        self.timeout_s = timeout_s
        self.writer = writer
        self.executor = executor
        self.max_failure_rate = max_failure_rate
        self.min_episodes_for_abort = min_episodes_for_abort
        self.progress = progress
        self.policy = InlinePolicy(inline_below_s, never_inline_above_s=0.01)
        for env_id in sources:
            if _registered_game(env_id):
                self.policy.mark_in_memory(env_id)
        self.resolved: dict[Any, Agent] = {}
        self.env_facts: dict[int, tuple[Mapping[str, str], bool]] = {}
        """id(env) -> (its scripted agents table, whether it is a multi-agent game), see `learn_env`."""
        self.finished: list[Episode] = []
        """The run's finished episodes, in the order they finished; empty with a `sink`, which takes them."""
        self.done = 0
        self.failed = 0
        self.first_failure: Episode | None = None
        self.sink = sink
        """Called with every finished episode instead of keeping it (a worker process sends them to the parent)."""
        self.worker_cpu_s = 0.0
        """CPU seconds of the worker processes that played this run's episodes (`agora.rollout.processes`)."""
        self._pending: list[Episode | str] = []
        self._flusher: asyncio.Task[None] | None = None

    async def call(self, episode: Episode, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Runs an env call inline or in the thread pool (see `InlinePolicy`); adds its time to ``env_s``.

        The policy learns from the call's own duration (timed where it ran), never from the wait for
        a free thread: with many episodes queued on the pool that wait alone would exceed
        ``never_inline_above_s`` and send a cheap env to the pool for good. ``env_s`` counts the wait.
        """
        key, start = episode.env_id, time.perf_counter()
        try:
            if self.policy.inline(key):  # the hot path, without the coroutine of `InlinePolicy.run`
                return self.policy.timed(key, fn, *args, **kwargs)
            return await self.policy.run(self.executor, key, fn, *args, **kwargs)
        finally:
            episode.timings["env_s"] += time.perf_counter() - start

    async def build(self, env_id: str) -> Any:
        """A new env for a worker, built where its calls run (see `InlinePolicy`); notes its facts.

        An in-memory env is built inline and its build counts as a call; any other is built in the
        pool and untimed (a browser's launch says nothing about its steps).
        """
        if self.policy.inline(env_id):
            env = self.policy.timed(env_id, self.sources[env_id])
        else:
            env = await asyncio.get_running_loop().run_in_executor(self.executor, self.sources[env_id])
        self.learn_env(env_id, env)
        return env

    def _agent(self, spec: str | Agent, table: Mapping[str, str]) -> Agent:
        key = id(spec) if isinstance(spec, Agent) else spec
        if key not in self.resolved:
            self.resolved[key] = resolve_agent(spec, table=table)
        return self.resolved[key]

    def learn_env(self, env_id: str, env: Any) -> None:
        """Notes once per env instance what every episode needs: its scripted agents, game or not, in memory."""
        unwrapped = getattr(env, "unwrapped", env)
        table = getattr(unwrapped, "scripted_agents", None) or getattr(
            getattr(unwrapped, "game", None), "scripted_agents", {}
        )
        self.env_facts[id(env)] = (table, _is_game(env))
        if _in_memory(env):
            self.policy.mark_in_memory(env_id)

    def seat_agents(self, env: Any, job: EpisodeJob) -> tuple[dict[str, Agent], dict[str, str]]:
        """Fresh forks of the seats' agents, reset by the seeding rule, and the names they are recorded under.

        Single-agent envs have one seat, ``"agent"``. A seat's name is its spec when the spec is a string.
        """
        table, game = self.env_facts[id(env)]
        seats = list(env.possible_agents) if game else ["agent"]
        specs = _seat_specs(job.seats if job.seats is not None else self.agent_source, seats)
        forks, names = {}, {}
        for k, seat in enumerate(seats):
            agent = self._agent(specs[seat], table)
            fork = agent.fork() if hasattr(agent, "fork") else agent
            fork.reset(seed=agent_seed(job.seed, job.index_in_group, k))
            forks[seat] = fork
            names[seat] = specs[seat] if isinstance(specs[seat], str) else getattr(agent, "name", type(agent).__name__)
        return forks, names

    async def play(self, envs: dict[str, Any], job: EpisodeJob) -> Episode:
        """Plays one job to an `Episode` (ok or failed)."""
        episode = job.new_episode(timings={"agent_s": 0.0, "env_s": 0.0})
        start = time.perf_counter()
        call = functools.partial(self.call, episode)
        try:
            if job.env_id not in envs:
                envs[job.env_id] = await self.build(job.env_id)
            env = envs[job.env_id]
            seats, names = self.seat_agents(env, job)
            limits = {"max_turns": self.max_turns, "timeout_s": self.timeout_s}
            if self.env_facts[id(env)][1]:
                await play_game(env, job, seats, episode, call, names=names, **limits)
            else:
                await play_single(env, job, seats["agent"], episode, call, name=names["agent"], **limits)
        except Exception as e:
            _mark_failed(episode, e)
            bad = envs.pop(job.env_id, None)
            if bad is not None:
                await asyncio.get_running_loop().run_in_executor(self.executor, _close_quietly, bad)
        episode.timings["wall_s"] = time.perf_counter() - start
        return episode

    def record(self, episode: Episode, line: str | None = None) -> None:
        """Counts a finished episode, queues it for the writer, and aborts when failures pass the threshold.

        The writer gets the episodes finished since its last write in one batch (`flush`). `line` is
        the episode's JSON when it arrived as JSON (from a worker process), so it is written as it came.
        """
        self.done += 1
        if episode.status == "failed":
            self.failed += 1
            self.first_failure = self.first_failure or episode
        self.progress.update(episode)
        if self.sink is not None:
            self.sink(episode)
        else:
            self.finished.append(episode)
        if self.writer is not None:
            self._pending.append(episode if line is None else line)
            if self._flusher is None or self._flusher.done():
                if self._flusher is not None:
                    self._flusher.result()  # a failed write stops the run
                self._flusher = asyncio.get_running_loop().create_task(self.flush())
        done = self.done
        if done >= self.min_episodes_for_abort and self.failed > self.max_failure_rate * done:
            first = self.first_failure
            where = f" Finished episodes are in {self.writer.path}; rerun with it to resume." if self.writer else ""
            raise RolloutAborted(
                f"{self.failed} of {done} finished episodes failed "
                f"({self.failed / done:.0%} > max_failure_rate "
                f"{self.max_failure_rate:.0%}). First failure ({first.episode_id}): {first.error}.{where}"
            )

    async def flush(self) -> None:
        """Writes queued episodes in batches (one flush and fsync each, in the thread pool) until none is left."""
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending, []
            await loop.run_in_executor(self.executor, _write_batch, self.writer, batch)

    async def drain(self) -> None:
        """Waits until every queued episode is written."""
        while self._flusher is not None:
            flusher, self._flusher = self._flusher, None
            await flusher
            if self._pending:
                self._flusher = asyncio.get_running_loop().create_task(self.flush())

    async def worker(self, jobs: asyncio.Queue[EpisodeJob]) -> None:
        """Plays jobs from the queue until it is empty, reusing its env instances."""
        envs: dict[str, Any] = {}
        played = 0
        try:
            while True:
                try:
                    job = jobs.get_nowait()
                except asyncio.QueueEmpty:
                    return
                self.record(await self.play(envs, job))
                played += 1
                if played % 16 == 0 or self._pending:  # agents that answer at once never yield: let the writer run
                    await asyncio.sleep(0)
        finally:
            for env in envs.values():
                _close_quietly(env)


def _seat_specs(source: AgentSource, seats: list[str]) -> dict[str, str | Agent]:
    if isinstance(source, (str, Agent)) or callable(getattr(source, "act", None)):
        return {seat: source for seat in seats}
    if isinstance(source, Mapping):
        missing = [s for s in seats if s not in source]
        if missing:
            raise ValueError(f"No agent for seat(s) {missing}; the seats are {seats}.")
        return {seat: source[seat] for seat in seats}
    specs = list(source)
    if len(specs) != len(seats):
        raise ValueError(f"{len(specs)} agent specs for {len(seats)} seat(s) {seats}; give one per seat.")
    return dict(zip(seats, specs, strict=True))


def _mark_failed(episode: Episode, error: BaseException) -> None:
    episode.status = "failed"
    episode.error = f"{type(error).__name__}: {error}"
    if isinstance(error, InfraError):
        episode.meta["infra_failure"] = True
    episode.traceback = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    episode.returns = {}
    episode.terminated = episode.truncated = False


def _write_batch(writer: EpisodeWriter, batch: list[Episode | str]) -> None:
    writer.write_lines([item if isinstance(item, str) else item.to_json() for item in batch])


def _close_quietly(env: Any) -> None:
    try:
        env.close()
    except Exception:  # closing a broken env must not hide the original failure
        pass


async def arun(
    env: EnvSource,
    agents: AgentSource | None,
    *,
    jobs: Sequence[EpisodeJob] | None = None,
    episodes: int | None = None,
    group_size: int = 1,
    seeds: Sequence[int] | None = None,
    concurrency: int = 16,
    processes: int = 1,
    out: str | Path | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    max_turns: int = 200,
    agent_timeout_s: float | None = None,
    max_failure_rate: float = 0.5,
    min_episodes_for_abort: int = 8,
    env_threads: int | None = None,
    inline_env_calls_below_s: float = 0.0,
    progress: bool = False,
    retry_infra_failures: bool = True,
) -> RolloutResult:
    """Async `run` (same arguments), for callers already inside an event loop."""
    start = time.perf_counter()
    sources = _env_sources(env, env_kwargs or {})
    if jobs is None:
        jobs = plan_jobs(list(sources), episodes, group_size, seeds)
    if processes > 1:
        from agora.rollout.processes import check_portable_agents

        check_portable_agents(agents, jobs, "every worker process")
    writer = EpisodeWriter(out, retry_infra_failures=retry_infra_failures) if out is not None else None
    planned = {j.episode_id for j in jobs}
    done = {} if writer is None else {k: v for k, v in writer.existing.items() if k in planned}
    todo = [job for job in jobs if job.episode_id not in done]
    settings = {"max_turns": max_turns, "timeout_s": agent_timeout_s, "inline_below_s": inline_env_calls_below_s}
    threads = env_threads or min(max(concurrency, 1), 16)
    with (
        concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="agora-env") as executor,
        RolloutProgress(len(todo), progress) as bar,
        paced_gc(),
    ):
        engine = _Engine(
            sources,
            agents,
            writer=writer,
            executor=executor,
            max_failure_rate=max_failure_rate,
            min_episodes_for_abort=min_episodes_for_abort,
            progress=bar,
            **settings,
        )
        try:
            if min(processes, len(todo), concurrency) > 1:  # else one process would play: this one
                from agora.rollout.processes import play_in_processes

                used = await play_in_processes(
                    engine,
                    env,
                    dict(env_kwargs or {}),
                    todo,
                    processes=processes,
                    concurrency=concurrency,
                    env_threads=env_threads,
                    settings=settings,
                )
            else:
                used = 1
                await play_here(engine, todo, concurrency)
        finally:
            try:
                await engine.drain()
            finally:
                if writer is not None:
                    writer.close()
    ordered = {e.episode_id: e for e in [*done.values(), *engine.finished]}
    result = [ordered[j.episode_id] for j in jobs if j.episode_id in ordered]
    return RolloutResult(
        result,
        new=len(engine.finished),
        resumed=len(done),
        wall_s=time.perf_counter() - start,
        worker_cpu_s=engine.worker_cpu_s,
        processes=used,
    )


async def play_here(engine: _Engine, todo: Sequence[EpisodeJob], concurrency: int) -> None:
    """Plays `todo` in this process on `concurrency` worker tasks (each reusing its env instances)."""
    queue: asyncio.Queue[EpisodeJob] = asyncio.Queue()
    for job in todo:
        queue.put_nowait(job)
    tasks = [asyncio.create_task(engine.worker(queue)) for _ in range(min(concurrency, max(len(todo), 1)))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def run(env: EnvSource, agents: AgentSource | None, **kwargs: Any) -> RolloutResult:
    """Plays episodes concurrently and records them (see the module docs and `arun` for arguments).

    Args:
        env: an env id, a list of ids, or a zero-argument factory (its ``env_id`` or ``__name__``
            names it in the records).
        agents: one spec or `Agent` for every seat (self-play in games), a list with one per seat,
            or a dict seat -> spec. Specs: scripted names, ``hf:PATH``, ``vllm:PATH``,
            ``openai:URL#MODEL``, ``smollm2``, ``module:callable``. None when every job names its seats.
        **kwargs: ``jobs`` (explicit `EpisodeJob`s, e.g. a tournament's schedule, instead of
            ``episodes``/``group_size``/``seeds``), ``episodes``, ``group_size``, ``seeds``,
            ``concurrency`` (episodes played at once, in all), ``processes`` (worker processes that
            share the episodes, each running this engine's loop; the parent alone writes ``out``; see
            `agora.rollout.processes`), ``out`` (JSONL path),
            ``env_kwargs``, ``max_turns``, ``agent_timeout_s``, ``max_failure_rate``,
            ``min_episodes_for_abort``, ``env_threads`` (thread pool size, default
            min(concurrency, 16)), ``inline_env_calls_below_s`` (see `agora.env_calls.InlinePolicy`; 0 keeps every
            env call off the loop), ``progress``, ``retry_infra_failures`` (resuming `out` plays
            episodes that failed on infrastructure again; default True).
    """
    results: list[RolloutResult] = []

    async def main() -> None:  # returns None: asyncio.run's exit path reprs its task, and so the result
        results.append(await arun(env, agents, **kwargs))

    _run_loop(main())
    return results[0]


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Runs `main` on uvloop when it is installed (``pip install 'agora[rollout]'``), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
