"""Collecting training episodes through the rollout engine (`agora.rollout.run`).

A step's episodes are `Job`s: a task seed and the agent of every seat (one `Agent` for a
single-agent env). Jobs whose seats hold the same agents are played by one `agora.rollout.run`
call, which forks each agent per episode and seat and plays all episodes concurrently (an
`HFAgent`'s forks share one engine, which batches their requests). Episodes come back token in /
token out, in job order; failed ones keep ``status="failed"`` (the trainer skips them).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from agora.agent import Agent
from agora.trajectory import Episode


@dataclasses.dataclass
class Job:
    """One episode to play: its task seed, the agent of every seat, and the seats the learner trains on."""

    env_id: str
    seed: int
    seats: dict[str, Agent] | Agent
    learner_seats: tuple[str, ...] = ()

    def key(self) -> Hashable:
        """Jobs with equal keys share one rollout call (same agent objects in the same seats)."""
        if isinstance(self.seats, Agent):
            return id(self.seats)
        return tuple(sorted((seat, id(agent)) for seat, agent in self.seats.items()))


class EnvFactory:
    """A zero-argument env factory that carries the env id the rollout engine records."""

    def __init__(self, env_id: str, make: Callable[[], Any]):
        self.env_id = env_id
        self._make = make

    def __call__(self) -> Any:
        """A new env (or game)."""
        return self._make()


def collect(make: Callable[[], Any], jobs: Sequence[Job], *, max_turns: int) -> list[Episode]:
    """Plays every job (``make()`` builds an env or game); returns one `Episode` per job, in job order."""
    from agora.rollout import run

    buckets: dict[Hashable, list[int]] = defaultdict(list)
    for i, job in enumerate(jobs):
        buckets[job.key()].append(i)
    out: list[Episode | None] = [None] * len(jobs)
    for indices in buckets.values():
        first = jobs[indices[0]]
        counts = Counter(jobs[i].seed for i in indices)
        seeds = list(dict.fromkeys(jobs[i].seed for i in indices))
        group = max(counts.values())
        result = run(
            EnvFactory(first.env_id, make),
            first.seats,
            seeds=seeds,
            group_size=group,
            concurrency=len(seeds) * group,
            max_turns=max_turns,
        )
        by_task = defaultdict(list)
        for episode in result.episodes:
            if episode.index_in_group < counts[episode.seed]:
                by_task[episode.seed].append(episode)
        for i in indices:
            out[i] = by_task[jobs[i].seed].pop(0)
    return out  # type: ignore[return-value]
