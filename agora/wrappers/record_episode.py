"""`RecordEpisode`: records every episode of a single-agent env as an `Episode`, optionally to a JSONL file.

The records are the rollout engine's (`agora.trajectory.Episode`, one `Turn` per step), so `agora export`,
`read_episodes` and the trainer read a file this wrapper wrote like one `agora rollout` wrote.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import gymnasium

from agora.trajectory import Episode, Turn


class RecordEpisode(gymnasium.Wrapper):
    """Records the turns (observation acted on, action, reward, validity, info) of each episode.

    Finished episodes are in `episodes`. With `path`, each finished episode is also appended to that
    JSONL file as one `Episode.to_json` line, flushed and fsync'd, so a crash loses no episode that
    ended. A turn's ``info`` is the info its observation came with, plus the ``error`` the env reported
    for the action (the turn is then ``valid=False``). Values JSON cannot hold are written as their `repr`.
    """

    def __init__(self, env: gymnasium.Env, path: str | os.PathLike[str] | None = None):
        super().__init__(env)
        self.path = Path(path) if path is not None else None
        self.episodes: list[Episode] = []
        self._current: Episode | None = None
        self._last: tuple[str, dict[str, Any]] = ("", {})
        self._per_seed: Counter[Any] = Counter()

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Starts recording a new episode."""
        obs, info = self.env.reset(**kwargs)
        env_id = self.env.spec.id if self.env.spec else str(self.env)
        seed = kwargs.get("seed")
        group_id = f"{env_id}/seed={seed}"
        index = self._per_seed[group_id]
        self._per_seed[group_id] += 1
        agent_id = str(info.get("agent_id", "agent"))
        self._current = Episode(
            f"{group_id}/{index}", env_id, seed, group_id, index_in_group=index, returns={agent_id: 0.0}
        )
        self._last = (str(obs), dict(info))
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the env and records the turn; closes the record when the episode ends."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        episode = self._current
        if episode is not None:
            (agent_id,) = episode.returns
            seen, seen_info = self._last
            turn = Turn(agent_id, len(episode.turns), seen, _text(action), float(reward), info=seen_info)
            if info.get("error"):
                turn.valid, turn.info["error"] = False, info["error"]
            episode.turns.append(turn)
            episode.returns[agent_id] += turn.reward
            self._last = (str(obs), dict(info))
            if terminated or truncated:
                episode.terminated, episode.truncated = bool(terminated), bool(truncated)
                self._finish(episode)
        return obs, reward, terminated, truncated, info

    def _finish(self, episode: Episode) -> None:
        self._current = None
        self.episodes.append(episode)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(episode.to_json() + "\n")
                f.flush()
                os.fsync(f.fileno())


def _text(action: Any) -> str:
    """The action as the record's text: itself when it is a `str`, else its JSON (a tool call object)."""
    return action if isinstance(action, str) else json.dumps(action, default=repr)
