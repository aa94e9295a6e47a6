"""Trajectory records: the only thing the trainer reads (see ../shared/CREDIT.md).

A `Turn` is one agent action, stored token in / token out: the prompt token ids the model saw,
the completion token ids it sampled and their logprobs under the sampling policy. Never
re-tokenise text to recover them. An `Episode` holds the turns of every agent in one game or task,
with what the trainer groups by (`group_id`: episodes that share a task) and its outcome. A
failed episode (env or agent crash) keeps `status="failed"` and the error, apart from rewards.
"""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Hashable
from typing import Any, Literal, cast

EpisodeStatus = Literal["ok", "failed"]


@dataclasses.dataclass
class Turn:
    """One action of one agent, with everything credit assignment and the loss need."""

    agent_id: str
    turn_index: int
    observation: str
    action: str
    reward: float = 0.0
    valid: bool = True
    state_key: Hashable | None = None
    prompt_token_ids: list[int] | None = None
    completion_token_ids: list[int] | None = None
    completion_logprobs: list[float] | None = None
    loss_mask: list[int] | None = None
    """One 0/1 per completion token: 1 for tokens the policy sampled (trained on). Prompt and
    observation tokens are never in it: they live in `prompt_token_ids` and always have mask 0."""
    latency_s: float | None = None
    """Wall time of the agent's call for this turn."""
    info: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (the state key is stored as its `repr` when JSON cannot hold it)."""
        data = dataclasses.asdict(self)
        data["state_key"] = _jsonable_key(self.state_key)
        return data

    def __reduce__(self) -> tuple[type[Turn], tuple[Any, ...]]:
        """Pickles as the class and its field values (rebuilt by one call: 3x faster to unpickle than a state dict)."""
        return Turn, _turn_values(self)

    def _shallow(self) -> dict[str, Any]:
        """`to_dict` without its deep copies, for `json.dumps` only (its lists and dicts are this turn's own)."""
        data = {name: getattr(self, name) for name in _TURN_FIELDS}
        data["state_key"] = _jsonable_key(self.state_key)
        return data


@dataclasses.dataclass
class Episode:
    """All turns of one episode, its per-agent returns and how it ended."""

    episode_id: str
    env_id: str
    seed: int | None
    group_id: str
    turns: list[Turn] = dataclasses.field(default_factory=list)
    returns: dict[str, float] = dataclasses.field(default_factory=dict)
    agents: dict[str, str] = dataclasses.field(default_factory=dict)
    """agent id (seat) -> agent name/spec that played it."""
    terminated: bool = False
    truncated: bool = False
    status: EpisodeStatus = "ok"
    error: str | None = None
    traceback: str | None = None
    """The traceback of a failed episode (`error` holds ``"ExcType: message"``)."""
    index_in_group: int = 0
    """Which of the group's episodes this is (0 .. group_size-1)."""
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    """``wall_s`` (whole episode), ``agent_s`` (sum of agent calls), ``env_s`` (resets and steps)."""
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    """What the job that asked for the episode tagged it with (a tournament: game index, deal, lineup)."""

    def __reduce__(self) -> tuple[type[Episode], tuple[Any, ...]]:
        """Pickles as the class and its field values (worker processes send episodes to the parent this way)."""
        return Episode, _episode_values(self)

    def turns_of(self, agent_id: str) -> list[Turn]:
        """The turns one agent took, in order."""
        return [t for t in self.turns if t.agent_id == agent_id]

    def to_json(self) -> str:
        """One JSON line (no newline inside).

        The same text as dumping `dataclasses.asdict`, without its deep copy of every turn (the copy
        was most of the cost of recording an episode): fields are read in place and dumped at once.
        """
        data = {name: getattr(self, name) for name in _EPISODE_FIELDS}
        data["turns"] = [t._shallow() for t in self.turns]
        return json.dumps(data, default=_json_default)

    @classmethod
    def from_json(cls, line: str) -> Episode:
        """Parses a line written by `to_json`; state keys come back as written (lists -> tuples)."""
        data = json.loads(line)
        turns = [Turn(**{**t, "state_key": _hashable(t.get("state_key"))}) for t in data.pop("turns")]
        return cls(**data, turns=turns)


_TURN_FIELDS = tuple(f.name for f in dataclasses.fields(Turn))
_EPISODE_FIELDS = tuple(f.name for f in dataclasses.fields(Episode))
_turn_values = operator.attrgetter(*_TURN_FIELDS)
_episode_values = operator.attrgetter(*_EPISODE_FIELDS)


def _json_default(value: Any) -> Any:
    """What `json.dumps` writes for a value it cannot hold: a dataclass as its dict (as `asdict` did), else its repr."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return repr(value)


def _jsonable_key(key: Hashable | None) -> Any:
    if key is None or isinstance(key, (str, int, float, bool)):
        return key
    if isinstance(key, tuple):
        return [_jsonable_key(k) for k in key]
    return repr(key)


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return cast(Hashable, value)
