"""Self-play: an opponent pool of past snapshots and scripted experts, and its sampling rule.

Sampling rule (`OpponentPool.sample`): with probability ``p_self`` the episode is pure self-play
(the current model in every seat, every seat trained); otherwise the learner takes a random seat
and the other seats are played by one pool member drawn uniformly from the snapshots and the
scripted experts (only the learner's seat is trained). Snapshots are frozen copies of the
policy taken every ``snapshot_every`` updates; the pool keeps the newest ``pool_size``.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import numpy as np

from agora.agent import Agent, resolve_agent
from agora.trainers.models import frozen_copy, load_trainable_state, trainable_state

AgentFactory = Callable[[int], Agent]


class OpponentPool:
    """Snapshots of the policy plus scripted experts (see the module docs)."""

    def __init__(self, scripted: list[str], pool_size: int, p_self: float, make_agent: Callable[[Any], Agent],
                 table: dict[str, str]):
        self.scripted = list(scripted)
        self.snapshots: collections.deque[tuple[int, Any]] = collections.deque(maxlen=pool_size)
        self.p_self = p_self
        self._make_agent = make_agent
        self._table = table

    def add_snapshot(self, step: int, model: Any) -> None:
        """Freezes a copy of `model` as a pool member named ``snapshot@STEP``."""
        self.snapshots.append((step, frozen_copy(model)))

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
        for step, model in self.snapshots:
            if name == f"snapshot@{step}":
                return lambda seed, m=model: self._make_agent(m)
        return lambda seed: resolve_agent(name, table=self._table, seed=seed)

    def state_dict(self) -> dict[str, Any]:
        """The snapshots' weights, for checkpoints."""
        return {"snapshots": [(s, trainable_state(m)) for s, m in self.snapshots]}

    def load_state_dict(self, state: dict[str, Any], model: Any) -> None:
        """Rebuilds the snapshots from a checkpoint (copies of `model` with the saved weights)."""
        self.snapshots.clear()
        for step, weights in state["snapshots"]:
            clone = frozen_copy(model)
            load_trainable_state(clone, weights)
            self.snapshots.append((step, clone))
