"""Self-play: an opponent pool of past snapshots and scripted experts, and its sampling rule.

Sampling rule (`OpponentPool.sample`): with probability ``p_self`` the episode is pure self-play
(the current model in every seat, every seat trained); otherwise the learner takes a random seat
and the other seats are played by one pool member drawn uniformly from the snapshots and the
scripted experts (only the learner's seat is trained). Snapshots are taken every ``snapshot_every``
updates; the pool keeps the newest ``pool_size`` and tells its owner (``on_evict``) when one leaves, so
the engine or adapter that served it is freed. A snapshot of a LoRA run is a CPU copy of the adapter
weights (megabytes), never a copy of the model; full fine-tuning snapshots are frozen model copies.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import numpy as np

from agora.agent import Agent, resolve_agent
from agora.trainers.policy import adapter_copy, frozen_copy, is_lora, load_trainable_state, trainable_state

AgentFactory = Callable[[int], Agent]


def snapshot_of(model: Any) -> Any:
    """What a snapshot holds: the adapter weights of a LoRA model (on the CPU), else a frozen copy."""
    return adapter_copy(model) if is_lora(model) else frozen_copy(model)


class OpponentPool:
    """Snapshots of the policy plus scripted experts (see the module docs).

    Args:
        scripted: names of scripted experts in the pool.
        pool_size: snapshots kept (the oldest leaves first).
        p_self: probability of a pure self-play episode.
        make_agent: ``make_agent(step, payload)`` -> an agent playing that snapshot.
        table: the env's scripted agents (name -> spec) for `resolve_agent`.
        on_evict: called with the step of a snapshot that left the pool.
    """

    def __init__(
        self,
        scripted: list[str],
        pool_size: int,
        p_self: float,
        make_agent: Callable[[int, Any], Agent],
        table: dict[str, str],
        on_evict: Callable[[int], None] | None = None,
    ):
        self.scripted = list(scripted)
        self.pool_size = pool_size
        self.snapshots: collections.deque[tuple[int, Any]] = collections.deque()
        self.p_self = p_self
        self._make_agent = make_agent
        self._table = table
        self._on_evict = on_evict

    def add_snapshot(self, step: int, model: Any) -> None:
        """Keeps a snapshot of `model` (see `snapshot_of`) as a pool member named ``snapshot@STEP``."""
        self._append(step, snapshot_of(model))

    def _append(self, step: int, payload: Any) -> None:
        self.snapshots.append((step, payload))
        while len(self.snapshots) > self.pool_size:
            old, _ = self.snapshots.popleft()
            if self._on_evict is not None:
                self._on_evict(old)

    def members(self) -> list[str]:
        """Names of the pool members."""
        return [f"snapshot@{s}" for s, _ in self.snapshots] + self.scripted

    def sample(self, rng: np.random.Generator) -> tuple[str, AgentFactory | None]:
        """``("self", None)`` or (member name, factory of a fresh agent given a seed)."""
        members = self.members()
        if not members or rng.random() < self.p_self:
            return "self", None
        name = members[int(rng.integers(len(members)))]
        return name, self.factory(name)

    def factory(self, name: str) -> AgentFactory:
        """A factory of agents for a member name or any agent spec (``random``, ``nimsum``, ...)."""
        for step, payload in self.snapshots:
            if name == f"snapshot@{step}":
                return lambda seed, s=step, m=payload: self._make_agent(s, m)
        return lambda seed: resolve_agent(name, table=self._table, seed=seed)

    def state_dict(self) -> dict[str, Any]:
        """The snapshots' weights, for checkpoints."""
        return {"snapshots": [(s, m if isinstance(m, dict) else trainable_state(m)) for s, m in self.snapshots]}

    def load_state_dict(self, state: dict[str, Any], model: Any) -> None:
        """Rebuilds the snapshots from a checkpoint (adapter weights, or copies of `model` with the saved weights)."""
        for step, _ in list(self.snapshots):
            if self._on_evict is not None:
                self._on_evict(step)
        self.snapshots.clear()
        for step, weights in state["snapshots"]:
            if is_lora(model):
                self._append(step, dict(weights))
                continue
            clone = frozen_copy(model)
            load_trainable_state(clone, weights)
            self._append(step, clone)
