"""Rollout trajectories (JSONL, one `Episode` a line) as a Hugging Face `datasets` dataset.

One row per agent turn, for SFT and offline RL alike:

* ``messages``: the agent's conversation up to and including this turn (``user`` = what the env
  showed it, ``assistant`` = its action), for chat SFT.
* ``prompt_token_ids``, ``completion_token_ids``, ``completion_logprobs``, ``loss_mask``: the tokens
  exactly as sampled (prompt tokens always have mask 0 and are not in ``loss_mask``).
* ``reward`` (this turn), ``return`` (the agent's episode return), ``advantage`` (when the record
  has one in the turn's ``info["advantage"]``; else None), ``valid``.
* ``episode_id``, ``env_id``, ``seed``, ``group_id``, ``agent_id``, ``turn_index``.

Failed episodes (``status="failed"``) are left out: their rewards mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agora._optional import require
from agora.trajectory import Episode


def turn_rows(episode: Episode) -> Iterator[dict[str, Any]]:
    """The dataset rows of one episode (see the module docs)."""
    conversations: dict[str, list[dict[str, str]]] = {}
    for turn in episode.turns:
        messages = conversations.setdefault(turn.agent_id, [])
        messages.append({"role": "user", "content": turn.observation})
        messages.append({"role": "assistant", "content": turn.action})
        advantage = turn.info.get("advantage")
        yield {
            "episode_id": episode.episode_id,
            "env_id": episode.env_id,
            "seed": episode.seed,
            "group_id": episode.group_id,
            "agent_id": turn.agent_id,
            "turn_index": turn.turn_index,
            "messages": list(messages),
            "prompt_token_ids": turn.prompt_token_ids,
            "completion_token_ids": turn.completion_token_ids,
            "completion_logprobs": turn.completion_logprobs,
            "loss_mask": turn.loss_mask,
            "reward": float(turn.reward),
            "return": float(episode.returns.get(turn.agent_id, 0.0)),
            "advantage": None if advantage is None else float(advantage),
            "valid": bool(turn.valid),
        }


def read_rows(path: str | Path) -> tuple[list[dict[str, Any]], int]:
    """All rows of a rollout JSONL file and the number of failed episodes left out."""
    from agora.rollout.writer import read_episodes

    rows: list[dict[str, Any]] = []
    failed = 0
    for episode in read_episodes(Path(path))[0].values():
        if episode.status != "ok":
            failed += 1
            continue
        rows.extend(turn_rows(episode))
    return rows, failed


def features() -> Any:
    """The dataset's column types (fixed, so an all-None column still has its real type)."""
    datasets = require("datasets", "datasets")
    value, seq = datasets.Value, datasets.Sequence
    return datasets.Features(
        {
            "episode_id": value("string"), "env_id": value("string"), "seed": value("int64"),
            "group_id": value("string"), "agent_id": value("string"), "turn_index": value("int64"),
            "messages": [{"role": value("string"), "content": value("string")}],
            "prompt_token_ids": seq(value("int64")), "completion_token_ids": seq(value("int64")),
            "completion_logprobs": seq(value("float64")), "loss_mask": seq(value("int8")),
            "reward": value("float64"), "return": value("float64"), "advantage": value("float64"),
            "valid": value("bool"),
        }
    )  # fmt: skip


def export_hf(path: str | Path, out_dir: str | Path) -> tuple[Any, int]:
    """Writes the rollout file `path` as a dataset to `out_dir` (``save_to_disk``); returns it and #failed."""
    datasets = require("datasets", "datasets")
    rows, failed = read_rows(path)
    dataset = datasets.Dataset.from_list(rows, features=features())
    dataset.save_to_disk(str(out_dir))
    return dataset, failed
