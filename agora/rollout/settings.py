"""`RolloutSettings`: how a rollout plays its episodes, one typed object for every caller.

Which episodes to play (env ids, seeds, `EpisodeJob`s) and who plays them (agents) are the rollout's
arguments; everything else -- how many at once, in how many processes, with which limits, where they
are written, whether a bar is shown -- is a field here. `rollout.run`, `rollout.arun`, the worker
processes and the trainer's collection all read it, and ``rollout.run(..., concurrency=64, out=...)``
builds one from its keyword arguments (`RolloutSettings.of`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any


@dataclasses.dataclass(frozen=True)
class RolloutSettings:
    """How episodes are played and recorded (see the module docs); every field has a working default."""

    concurrency: int = 16
    """Episodes played at once, in all processes together."""
    processes: int = 1
    """Worker processes sharing the episodes (a maximum; the parent alone writes `out`)."""
    out: str | Path | None = None
    """JSONL file the episodes are appended to; an existing one is resumed (ids already in it are skipped)."""
    retry_infra_failures: bool = True
    """On resume, play again the episodes of `out` that failed on infrastructure."""
    max_turns: int = 200
    """Turns after which an episode is truncated."""
    agent_timeout_s: float | None = None
    """An agent that takes longer to answer fails its episode (`AgentTimeout`); None: no limit."""
    max_failure_rate: float = 0.5
    """The run stops (`RolloutAborted`) once more than this share of its episodes failed..."""
    min_episodes_for_abort: int = 8
    """...and at least this many episodes finished."""
    env_threads: int | None = None
    """Threads that run env calls; None: min(concurrency, 16)."""
    inline_env_calls_below_s: float = 0.0
    """Env calls faster than this run on the event loop (`agora.env_calls.InlinePolicy`); 0: none."""
    progress: bool = False
    """Show a progress bar."""
    ray_address: str | None = None
    """The Ray cluster that plays the episodes (``"auto"``, ``"HOST:PORT"``; `agora.rollout.ray_runner`);
    None: this machine (`processes`)."""

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {self.concurrency}.")
        if self.processes < 1:
            raise ValueError(f"processes must be >= 1, got {self.processes}.")
        if self.max_turns < 1:
            raise ValueError(f"max_turns must be >= 1, got {self.max_turns}.")
        if not 0.0 <= self.max_failure_rate <= 1.0:
            raise ValueError(f"max_failure_rate must be within [0, 1], got {self.max_failure_rate}.")

    @classmethod
    def of(cls, settings: RolloutSettings | None = None, **fields: Any) -> RolloutSettings:
        """`settings` (or the defaults) with `fields` replaced; an unknown field name raises `TypeError`."""
        unknown = sorted(set(fields) - FIELD_NAMES)
        if unknown:
            raise TypeError(f"Unknown rollout setting(s) {unknown}; the settings are {sorted(FIELD_NAMES)}.")
        return dataclasses.replace(settings or cls(), **fields)

    @property
    def threads(self) -> int:
        """Threads of the env call pool."""
        return self.env_threads or min(self.concurrency, 16)


FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(RolloutSettings))
"""The names of `RolloutSettings`' fields: the keyword arguments `rollout.run` takes besides the plan."""
