"""`RecordEpisode`: keeps every turn of every episode, and optionally appends them to a JSONL file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import gymnasium


class RecordEpisode(gymnasium.Wrapper):
    """Records turns (observation, action, reward, flags, info) of each episode.

    Finished episodes are in `episodes` (a list of dicts). With `path`, each finished episode is
    also appended to that JSONL file as one line, flushed and fsync'd, so a crash loses no episode
    that ended. Values in `info` that JSON cannot hold are stored as their `repr`.
    """

    def __init__(self, env: gymnasium.Env, path: str | os.PathLike[str] | None = None):
        super().__init__(env)
        self.path = Path(path) if path is not None else None
        self.episodes: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Starts recording a new episode."""
        obs, info = self.env.reset(**kwargs)
        self._current = {
            "env_id": self.env.spec.id if self.env.spec else str(self.env),
            "seed": kwargs.get("seed"),
            "observation": str(obs),
            "info": info,
            "turns": [],
        }
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the env and records the turn; closes the record when the episode ends."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._current is not None:
            self._current["turns"].append(
                {
                    "action": action,
                    "observation": str(obs),
                    "reward": float(reward),
                    "terminated": terminated,
                    "truncated": truncated,
                    "info": info,
                }
            )
            if terminated or truncated:
                self._finish()
        return obs, reward, terminated, truncated, info

    def _finish(self) -> None:
        episode, self._current = self._current, None
        episode["return"] = sum(t["reward"] for t in episode["turns"])
        self.episodes.append(episode)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(episode, default=repr) + "\n")
                f.flush()
                os.fsync(f.fileno())
