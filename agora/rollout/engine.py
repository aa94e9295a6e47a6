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

import concurrent.futures
import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from agora.rollout.core import AgentSource, Engine, EnvSource, blocking, env_sources, play_jobs, split_resumed
from agora.rollout.episode import EpisodeJob
from agora.rollout.gc_pacing import paced_gc
from agora.rollout.report import RolloutProgress, summary_table
from agora.rollout.settings import RolloutSettings
from agora.rollout.writer import EpisodeWriter
from agora.trajectory import Episode


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


async def arun(
    env: EnvSource,
    agents: AgentSource | None,
    *,
    jobs: Sequence[EpisodeJob] | None = None,
    episodes: int | None = None,
    group_size: int = 1,
    seeds: Sequence[int] | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    **settings: Any,
) -> RolloutResult:
    """Plays episodes concurrently and records them (see the module docs); `run` is the blocking call.

    Args:
        env: an env id, a list of ids, or a zero-argument factory (its ``env_id`` or ``__name__``
            names it in the records).
        agents: one spec or `Agent` for every seat (self-play in games), a list with one per seat,
            or a dict seat -> spec. Specs: scripted names, ``hf:PATH``, ``vllm:PATH``,
            ``openai:URL#MODEL``, ``smollm2``, ``module:callable``. None when every job names its seats.
        jobs: explicit `EpisodeJob`s (e.g. a tournament's schedule) instead of ``episodes``/``group_size``/``seeds``.
        episodes: how many episodes (cuts the planned tasks x group_size).
        group_size: episodes per (env id, seed) task.
        seeds: the task seeds (default: 0, 1, ... as many as ``episodes`` needs).
        env_kwargs: keyword arguments of `agora.make` for every env id.
        **settings: ``settings=`` a `RolloutSettings`, and/or any of its fields by name (``concurrency``,
            ``processes``, ``out``, ``max_turns``, ``agent_timeout_s``, ...), which replace its values.
    """
    start = time.perf_counter()
    options = RolloutSettings.of(settings.pop("settings", None), **settings)
    if jobs is None:
        jobs = plan_jobs(list(env_sources(env, env_kwargs or {})), episodes, group_size, seeds)
    if options.processes > 1:
        from agora.rollout.processes import check_portable_agents

        check_portable_agents(agents, jobs, "every worker process")
    writer = (
        EpisodeWriter(options.out, retry_infra_failures=options.retry_infra_failures)
        if options.out is not None
        else None
    )
    done, todo = split_resumed(writer, jobs)
    engine, used = await _play(env, env_kwargs or {}, agents, options, writer, todo)
    ordered = {e.episode_id: e for e in [*done.values(), *engine.finished]}
    return RolloutResult(
        [ordered[j.episode_id] for j in jobs if j.episode_id in ordered],
        new=len(engine.finished),
        resumed=len(done),
        wall_s=time.perf_counter() - start,
        worker_cpu_s=engine.worker_cpu_s,
        processes=used,
    )


async def _play(
    env: EnvSource,
    env_kwargs: Mapping[str, Any],
    agents: AgentSource | None,
    settings: RolloutSettings,
    writer: EpisodeWriter | None,
    todo: Sequence[EpisodeJob],
) -> tuple[Engine, int]:
    """Plays `todo` here or in worker processes; the engine that recorded them and how many processes played."""
    with (
        concurrent.futures.ThreadPoolExecutor(settings.threads, thread_name_prefix="agora-env") as executor,
        RolloutProgress(len(todo), settings.progress) as bar,
        paced_gc(),
    ):
        engine = Engine(env_sources(env, env_kwargs), agents, settings, executor=executor, progress=bar, writer=writer)
        try:
            if min(settings.processes, len(todo), settings.concurrency) > 1:  # else one process would play: this one
                from agora.rollout.processes import play_in_processes

                return engine, await play_in_processes(engine, env, dict(env_kwargs), todo)
            await play_jobs(engine, todo, settings.concurrency)
            return engine, 1
        finally:
            try:
                await engine.drain()
            finally:
                if writer is not None:
                    writer.close()


run = blocking(arun, "run", "Plays episodes concurrently and records them: `arun` (same arguments), to its end.")
