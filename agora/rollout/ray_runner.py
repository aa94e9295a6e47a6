"""Rollouts on a Ray cluster: episodes played whole inside Ray actors, recorded once on the driver.

`run_ray(env, agents, ray_address=..., ...)` plans the same jobs as `agora.rollout.run` (same ids,
seeds and agent seeds, so the same trajectories), splits them into batches of tasks (env id, seeds)
and hands each batch to an actor that plays it with the ordinary rollout engine. Actors take a
fraction of a CPU each (`cpus_per_actor`) and are dealt over the cluster's CPU nodes in turn. Episodes come
back to the driver, which alone writes the JSONL (`EpisodeWriter`), each episode id at most once.

When a worker node (or an actor) dies, its batches in flight are lost with it: the driver hands
them to a surviving actor (starting a new one when none is left), up to `max_attempts` times; a
batch that still fails is recorded as failed episodes with the Ray error (an infrastructure
failure, never a return of 0). So every planned episode ends up in the file exactly once.

Agents are resolved inside the actors: scripted agents, ``random``, ``module:callable`` and
model-server specs (``openai:URL#MODEL``, e.g. `agora serve-model`) work, and agent objects are
copied into each actor; in-process model specs (``hf:``, ``vllm:``, ``smollm2``) would load a model
per actor and are refused: serve the model and pass ``openai:`` instead. Needs ``pip install 'agora[ray]'``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agora._optional import require
from agora.rollout.core import split_resumed
from agora.rollout.engine import RolloutResult, plan_jobs
from agora.rollout.episode import EpisodeJob
from agora.rollout.processes import check_portable_agents
from agora.rollout.report import RolloutProgress
from agora.rollout.settings import RolloutSettings
from agora.rollout.writer import EpisodeWriter
from agora.trajectory import Episode

AgentSpecs = str | Sequence[str] | Mapping[str, str]
log = logging.getLogger("agora.rollout.ray")


@dataclasses.dataclass
class Batch:
    """Tasks one actor plays in one call: an env id, its seeds, and the episode ids wanted from them."""

    env_id: str
    seeds: list[int]
    wanted: list[str]
    attempt: int = 1


def make_batches(jobs: Sequence[EpisodeJob], batch_size: int) -> list[Batch]:
    """Groups jobs by (env id, seed) and packs about `batch_size` episodes per batch, in plan order."""
    batches: list[Batch] = []
    for job in jobs:
        last = batches[-1] if batches else None
        if last is None or last.env_id != job.env_id or (len(last.wanted) >= batch_size and job.seed not in last.seeds):
            last = Batch(job.env_id, [], [])
            batches.append(last)
        if job.seed not in last.seeds:
            last.seeds.append(job.seed)
        last.wanted.append(job.episode_id)
    return batches


def _play_batch(env_id: str, seeds: list[int], agents: AgentSpecs, settings: dict[str, Any]) -> list[str]:
    """Runs inside an actor: plays every episode of the seeds with the ordinary engine."""
    from agora import rollout

    result = rollout.run(env_id, agents, seeds=seeds, **settings)
    return [episode.to_json() for episode in result.episodes]


def _actor_class(ray: Any) -> Any:
    @ray.remote(max_restarts=0, max_task_retries=0)
    class RolloutActor:
        """A Ray actor that plays batches of episodes (see the module docs)."""

        def play(self, env_id: str, seeds: list[int], agents: AgentSpecs, settings: dict[str, Any]) -> list[str]:
            return _play_batch(env_id, seeds, agents, settings)

        def node(self) -> str:
            return ray.get_runtime_context().get_node_id()

    return RolloutActor


class _Driver:
    """State of one Ray run: the actor pool, batches in flight, the writer and what was written."""

    def __init__(
        self,
        ray: Any,
        agents: AgentSpecs,
        settings: dict[str, Any],
        spread: RayOptions,
        actors: int,
        writer: EpisodeWriter | None,
        progress: RolloutProgress,
    ):
        self.ray, self.agents, self.settings = ray, agents, settings
        self.actor_class, self.cpus_per_actor = _actor_class(ray), spread.cpus_per_actor
        self.cls = self.actor_class.options(num_cpus=spread.cpus_per_actor, scheduling_strategy="SPREAD")
        nodes = _nodes_with_cpus(ray)
        self.pool = [self.placed(nodes[i % len(nodes)] if nodes else None) for i in range(actors)]
        self.max_attempts, self.writer, self.progress, self.on_batch = (
            spread.max_attempts,
            writer,
            progress,
            spread.on_batch,
        )
        self.inflight: dict[Any, tuple[Any, Batch]] = {}
        self.episodes: dict[str, Episode] = {}
        self.last_ok: dict[int, float] = {}

    def placed(self, node_id: str | None) -> Any:
        """A new actor, preferably on `node_id` (elsewhere if that node has no room: a soft affinity)."""
        if node_id is None:
            return self.cls.remote()
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        strategy = NodeAffinitySchedulingStrategy(node_id, soft=True)
        return self.actor_class.options(num_cpus=self.cpus_per_actor, scheduling_strategy=strategy).remote()

    def healthiest(self) -> Any:
        """The actor that answered most recently (other actors of a dead node may not be known dead yet)."""
        return max(self.pool, key=lambda actor: self.last_ok.get(id(actor), 0.0))

    def submit(self, actor: Any, batch: Batch) -> None:
        """Hands `batch` to `actor`."""
        ref = actor.play.remote(batch.env_id, batch.seeds, self.agents, self.settings)
        self.inflight[ref] = (actor, batch)

    def record(self, batch: Batch, episodes: list[Episode]) -> None:
        """Writes the wanted episodes of a finished batch that are not written yet."""
        by_id = {e.episode_id: e for e in episodes}
        fresh = [by_id[i] for i in batch.wanted if i in by_id and i not in self.episodes]
        missing = [i for i in batch.wanted if i not in by_id]
        if missing:
            raise RuntimeError(f"the actor returned no episode for {missing[:3]}; the plans differ")
        for episode in fresh:
            if self.writer is not None:
                self.writer.write(episode)
            self.episodes[episode.episode_id] = episode
            self.progress.update(episode)
        if self.on_batch is not None:
            self.on_batch(fresh)

    def lost(self, actor: Any, batch: Batch, error: BaseException) -> Batch | None:
        """Drops a dead actor; returns the batch to retry, or records it failed after `max_attempts`."""
        if actor in self.pool:
            self.pool.remove(actor)
        if not self.pool:
            self.pool.append(self.cls.remote())
        if batch.attempt < self.max_attempts:
            log.warning(
                "Ray lost a batch of %d episodes (%s: %s); trying again (attempt %d of %d)",
                len(batch.wanted),
                type(error).__name__,
                str(error)[:200],
                batch.attempt + 1,
                self.max_attempts,
            )
            return dataclasses.replace(batch, attempt=batch.attempt + 1)
        log.warning(
            "Ray lost a batch of %d episodes %d times; recording them as failed", len(batch.wanted), batch.attempt
        )
        self.record(batch, [_failed_episode(i, batch, error) for i in batch.wanted])
        return None


def _nodes_with_cpus(ray: Any) -> list[str]:
    """Ids of the live nodes that offer CPUs, in a fixed order: actors are dealt over them in turn.

    Ray's SPREAD strategy is best effort; dealing the actors out explicitly makes every node (a head node
    configured with CPUs included) take its share, which the lost-node recovery relies on being tested.
    """
    alive = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0]
    return sorted(n["NodeID"] for n in alive)


def _failed_episode(episode_id: str, batch: Batch, error: BaseException) -> Episode:
    group_id, index = episode_id.rsplit("/", 1)
    seed = int(group_id.rsplit("=", 1)[1])
    return Episode(
        episode_id=episode_id,
        env_id=batch.env_id,
        seed=seed,
        group_id=group_id,
        index_in_group=int(index),
        status="failed",
        meta={"infra_failure": True},
        error=f"infra_error: Ray lost the batch {batch.attempt} times: {type(error).__name__}: {error}",
    )


def _connect(ray: Any, address: str | None) -> None:
    if not ray.is_initialized():
        ray.init(address=address, log_to_driver=False, logging_level="WARNING")


@dataclasses.dataclass(frozen=True)
class RayOptions:
    """How a Ray run spreads its episodes over actors (the cluster itself is `RolloutSettings.ray_address`)."""

    actors: int | None = None
    """How many actors (default: the cluster's CPUs / `cpus_per_actor`)."""
    cpus_per_actor: float = 0.25
    """The CPU share Ray reserves per actor."""
    batch_size: int = 32
    """About how many episodes one actor call plays."""
    concurrency_per_actor: int = 4
    """Episodes an actor plays at once."""
    max_attempts: int = 3
    """How often a batch lost with its node is tried before it is recorded as failed."""
    on_batch: Callable[[list[Episode]], None] | None = None
    """Called on the driver with each batch's newly written episodes."""


def run_ray(
    env: str | Sequence[str],
    agents: AgentSpecs,
    *,
    episodes: int | None = None,
    group_size: int = 1,
    seeds: Sequence[int] | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    ray_options: RayOptions | None = None,
    **settings: Any,
) -> RolloutResult:
    """Plays episodes in Ray actors and records them on the driver (see the module docs).

    Args:
        env: an env id or a list of ids (registered on every node).
        agents: agent specs (or picklable agent objects) as in `agora.rollout.run`.
        episodes: how many episodes (as in `agora.rollout.run`).
        group_size: episodes per seed.
        seeds: the task seeds (default 0, 1, ...).
        env_kwargs: keyword arguments of every env.
        ray_options: how the episodes are spread over actors (`RayOptions`).
        **settings: ``settings=`` a `RolloutSettings` and/or its fields by name, as in `agora.rollout.run`:
            ``ray_address`` (``"auto"``, ``"HOST:PORT"``; None joins the cluster ``ray.init`` already joined,
            or starts a local one), ``out`` (an existing file is resumed), ``max_turns``, ``agent_timeout_s``,
            ``progress``, ``retry_infra_failures``.
    """
    ray = require("ray", "ray")
    options = RolloutSettings.of(settings.pop("settings", None), **settings)
    spread = ray_options or RayOptions()
    check_portable_agents(agents, [], "every Ray actor")
    start = time.perf_counter()
    jobs = plan_jobs([env] if isinstance(env, str) else list(env), episodes, group_size, seeds)
    writer = EpisodeWriter(options.out, retry_infra_failures=options.retry_infra_failures) if options.out else None
    done, todo = split_resumed(writer, jobs)
    _connect(ray, options.ray_address)
    actor_settings = {
        "group_size": group_size,
        "env_kwargs": dict(env_kwargs or {}),
        "settings": _actor_settings(options, spread),
    }
    try:
        with RolloutProgress(len(todo), options.progress) as bar:
            driver = _Driver(
                ray, agents, actor_settings, spread, min(_actor_count(ray, spread), max(1, len(todo))), writer, bar
            )
            _drive(driver, make_batches(todo, spread.batch_size))
    finally:
        if writer is not None:
            writer.close()
    every = {**done, **driver.episodes}
    return RolloutResult(
        [every[j.episode_id] for j in jobs if j.episode_id in every],
        len(driver.episodes),
        len(done),
        time.perf_counter() - start,
    )


def _actor_settings(settings: RolloutSettings, spread: RayOptions) -> RolloutSettings:
    """An actor's settings: the run's limits, its own concurrency; the driver alone writes and shows progress."""
    return dataclasses.replace(
        settings,
        concurrency=spread.concurrency_per_actor,
        processes=1,
        out=None,
        progress=False,
        ray_address=None,
        max_failure_rate=1.0,
    )


def _actor_count(ray: Any, spread: RayOptions) -> int:
    return spread.actors or max(1, int(ray.cluster_resources().get("CPU", 1) / spread.cpus_per_actor))


def _drive(driver: _Driver, batches: list[Batch]) -> None:
    """Feeds batches to actors (two in flight per actor) until every batch is recorded."""
    ray = driver.ray
    queue = list(reversed(batches))
    for actor in list(driver.pool) * 2:
        if queue:
            driver.submit(actor, queue.pop())
    while driver.inflight:
        ready, _ = ray.wait(list(driver.inflight), num_returns=1)
        actor, batch = driver.inflight.pop(ready[0])
        try:
            lines = ray.get(ready[0])
        except ray.exceptions.RayTaskError:
            raise  # the batch itself failed (a bug or a bad spec), not the node: stop
        except ray.exceptions.RayError as e:
            retry = driver.lost(actor, batch, e)
            if retry is not None:
                queue.append(retry)
            actor = driver.healthiest()
        else:
            driver.last_ok[id(actor)] = time.monotonic()
            driver.record(batch, [Episode.from_json(line) for line in lines])
        if queue and actor in driver.pool:
            driver.submit(actor, queue.pop())
    if queue:  # every actor died with nothing in flight: start over on whatever the cluster has
        _drive(driver, list(reversed(queue)))
