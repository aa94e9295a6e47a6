"""`EnforceOrder`: `step` before `reset` raises an error that says to call `reset`."""

from __future__ import annotations

from typing import Any

import gymnasium

from agora.errors import ResetNeeded


class EnforceOrder(gymnasium.Wrapper):
    """Raises `agora.errors.ResetNeeded` when `step` or `render` comes before the first `reset`."""

    def __init__(self, env: gymnasium.Env):
        super().__init__(env)
        self._has_reset = False

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Resets the env and allows `step`."""
        self._has_reset = True
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        """Steps the env, or raises `ResetNeeded` before the first `reset`."""
        if not self._has_reset:
            raise ResetNeeded(f"{self.env} was stepped before reset(). Call env.reset() first.")
        return self.env.step(action)

    def render(self) -> Any:
        """Renders the env, or raises `ResetNeeded` before the first `reset`."""
        if not self._has_reset:
            raise ResetNeeded(f"{self.env} was rendered before reset(). Call env.reset() first.")
        return self.env.render()
