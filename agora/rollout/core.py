"""The engine's core: plays `EpisodeJob`s in this process and records them (see `agora.rollout.engine`).

Its public API -- `Engine`, `env_sources`, `play_jobs`, `mark_failed`, `run_loop` -- is what `rollout.run`,
the worker processes (`agora.rollout.processes`) and Ray's actors build a run from.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import time
import traceback
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar, cast

from agora.agent import Agent, resolve_agent
from agora.env_calls import InlinePolicy
from agora.errors import InfraError, RolloutAborted
from agora.rollout.episode import EpisodeJob, play_game, play_single
from agora.rollout.report import RolloutProgress
from agora.rollout.settings import RolloutSettings
from agora.rollout.writer import EpisodeWriter
from agora.trajectory import Episode
from agora.turns import agent_seed

P = ParamSpec("P")
R = TypeVar("R")
EnvSource = str | Sequence[str] | Callable[[], Any]
AgentSource = str | Agent | Sequence[str | Agent] | Mapping[str, str | Agent]


def env_sources(env: EnvSource, env_kwargs: Mapping[str, Any]) -> dict[str, Callable[[], Any]]:
    """A zero-argument factory per env id: `agora.make` with `env_kwargs`, or the caller's own factory."""
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


class Engine:
    """The core of one run: env factories, resolved agents, the thread pool, the writer, counters.

    `play_jobs` plays jobs on it in this process; `agora.rollout.processes` builds one per worker
    process (with a `sink` that sends the episodes to the parent) and the parent's records them.
    """

    def __init__(
        self,
        sources: dict[str, Callable[[], Any]],
        agents: AgentSource | None,
        settings: RolloutSettings,
        *,
        executor: concurrent.futures.Executor,
        progress: RolloutProgress,
        writer: EpisodeWriter | None = None,
        sink: Callable[[Episode], None] | None = None,
    ):
        self.sources = sources
        self.agent_source = agents
        self.settings = settings
        self.max_turns = settings.max_turns
        self.timeout_s = settings.agent_timeout_s
        self.writer = writer
        self.executor = executor
        self.max_failure_rate = settings.max_failure_rate
        self.min_episodes_for_abort = settings.min_episodes_for_abort
        self.progress = progress
        self.policy = InlinePolicy(settings.inline_env_calls_below_s, never_inline_above_s=0.01)
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
        source = job.seats if job.seats is not None else self.agent_source
        if source is None:
            raise ValueError(f"job {job.episode_id} names no agents, and neither does the rollout")
        specs = _seat_specs(source, seats)
        forks: dict[str, Agent] = {}
        names: dict[str, str] = {}
        for k, seat in enumerate(seats):
            spec = specs[seat]
            agent = self._agent(spec, table)
            fork = agent.fork() if hasattr(agent, "fork") else agent
            fork.reset(seed=agent_seed(job.seed, job.index_in_group, k))
            forks[seat] = fork
            names[seat] = spec if isinstance(spec, str) else str(getattr(agent, "name", type(agent).__name__))
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
            max_turns, timeout_s = self.max_turns, self.timeout_s
            if self.env_facts[id(env)][1]:
                await play_game(env, job, seats, episode, call, names=names, max_turns=max_turns, timeout_s=timeout_s)
            else:
                agent, name = seats["agent"], names["agent"]
                await play_single(env, job, agent, episode, call, name=name, max_turns=max_turns, timeout_s=timeout_s)
        except Exception as e:
            mark_failed(episode, e)
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
            assert first is not None  # a failed episode was counted
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
        single = cast("str | Agent", source)
        return {seat: single for seat in seats}
    if isinstance(source, Mapping):
        missing = [s for s in seats if s not in source]
        if missing:
            raise ValueError(f"No agent for seat(s) {missing}; the seats are {seats}.")
        return {seat: source[seat] for seat in seats}
    specs = list(source)
    if len(specs) != len(seats):
        raise ValueError(f"{len(specs)} agent specs for {len(seats)} seat(s) {seats}; give one per seat.")
    return dict(zip(seats, specs, strict=True))


def split_resumed(
    writer: EpisodeWriter | None, jobs: Sequence[EpisodeJob]
) -> tuple[dict[str, Episode], list[EpisodeJob]]:
    """The planned episodes already in the writer's file (resumed), by id, and the jobs still to play."""
    planned = {j.episode_id for j in jobs}
    done = {k: v for k, v in (writer.existing if writer else {}).items() if k in planned}
    return done, [job for job in jobs if job.episode_id not in done]


def mark_failed(episode: Episode, error: BaseException) -> None:
    """Records `error` in `episode`: failed, with the error, its traceback and no returns (never a disguised 0)."""
    episode.status = "failed"
    episode.error = f"{type(error).__name__}: {error}"
    if isinstance(error, InfraError):
        episode.meta["infra_failure"] = True
    episode.traceback = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    episode.returns = {}
    episode.terminated = episode.truncated = False


def _write_batch(writer: EpisodeWriter | None, batch: list[Episode | str]) -> None:
    assert writer is not None  # only a run with a writer queues episodes
    writer.write_lines([item if isinstance(item, str) else item.to_json() for item in batch])


def _close_quietly(env: Any) -> None:
    try:
        env.close()
    except Exception:  # closing a broken env must not hide the original failure
        pass


async def play_jobs(engine: Engine, todo: Sequence[EpisodeJob], concurrency: int) -> None:
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


def blocking(function: Callable[P, Coroutine[Any, Any, R]], name: str, doc: str) -> Callable[P, R]:
    """The blocking form of coroutine function `function`, with its signature, named `name`: runs it on `run_loop`."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        results: list[R] = []

        async def main() -> None:  # returns None: asyncio.run's exit path reprs its task, and so the result
            results.append(await function(*args, **kwargs))

        run_loop(main())
        return results[0]

    call.__name__ = call.__qualname__ = name
    call.__doc__ = doc
    return call


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Runs `main` on uvloop when it is installed (``pip install 'agora[rollout]'``), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
