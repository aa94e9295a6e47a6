"""Collecting training episodes through the rollout engine (`agora.rollout.run`).

A step's episodes are `EpisodeJob`s: a task seed, the episode's index in its group, the agent of every
seat (``{"agent": learner}`` in a single-agent env) and the trainer's bookkeeping in ``meta`` (the seats
the learner trains on, ``meta["learner_seats"]``, which comes back in `Episode.meta`). One
`agora.rollout.run` call plays them all concurrently, forking each agent per episode and seat (an
`HFAgent`'s forks share one engine, which batches their requests). Episodes come back token in / token
out and are matched to their jobs by episode id; failed ones keep ``status="failed"`` (the trainer
skips them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agora.agent import Agent
from agora.rollout import EpisodeJob, RolloutSettings
from agora.trajectory import Episode

LEARNER_SEATS = "learner_seats"
"""The `EpisodeJob.meta` / `Episode.meta` key of the seats the learner played (and trains on)."""


def training_job(
    env_id: str, seed: int, index_in_group: int, seats: Mapping[str, Agent], learner_seats: Sequence[str]
) -> EpisodeJob:
    """The job of one training episode: who plays which seat, and which seats the learner trains on."""
    return EpisodeJob(env_id, seed, index_in_group, seats=dict(seats), meta={LEARNER_SEATS: list(learner_seats)})


def learner_seats(episode: Episode) -> tuple[str, ...]:
    """The seats the learner played in `episode` (from its job's meta)."""
    return tuple(episode.meta.get(LEARNER_SEATS, ()))


class EnvFactory:
    """A zero-argument env factory that carries the env id the rollout engine records."""

    def __init__(self, env_id: str, make: Callable[[], Any]):
        self.env_id = env_id
        self._make = make

    def __call__(self) -> Any:
        """A new env (or game)."""
        return self._make()


def collect(make: Callable[[], Any], jobs: Sequence[EpisodeJob], *, max_turns: int) -> list[Episode]:
    """Plays every job (``make()`` builds an env or game) in one rollout; one `Episode` per job, in job order."""
    from agora.rollout import run

    if not jobs:
        return []
    if len({job.episode_id for job in jobs}) < len(jobs):
        raise ValueError("Two jobs share an episode id (env id, seed, index in group); give each its own index.")
    settings = RolloutSettings(concurrency=len(jobs), max_turns=max_turns)
    result = run(EnvFactory(jobs[0].env_id, make), None, jobs=jobs, settings=settings)
    by_id = {episode.episode_id: episode for episode in result.episodes}
    return [by_id[job.episode_id] for job in jobs]
