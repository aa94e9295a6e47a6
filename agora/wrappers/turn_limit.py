"""`TurnLimit`: truncates an episode after a number of agent turns."""

from __future__ import annotations

from typing import Any

import gymnasium


class TurnLimit(gymnasium.Wrapper):
    """Sets `truncated=True` on the `max_turns`-th step unless the episode terminated there.

    Envs never truncate themselves; `agora.make` adds this wrapper from the spec's `max_turns`.
    `info["turn_limit_reached"]` marks the truncating step.
    """

    def __init__(self, env: gymnasium.Env, max_turns: int):
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be a positive int, got {max_turns!r}")
        super().__init__(env)
        self.max_turns = max_turns
        self.turns = 0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Resets the env and the turn count."""
        self.turns = 0
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the env and truncates when the turn budget is spent."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.turns += 1
        if self.turns >= self.max_turns and not terminated and not truncated:
            truncated = True
            info = {**info, "turn_limit_reached": True}
        return obs, reward, terminated, truncated, info
