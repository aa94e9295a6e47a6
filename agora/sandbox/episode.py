"""`EpisodeSandbox`: the sandbox an env owns, started on first use and cleaned at every new episode."""

from __future__ import annotations

from typing import Any

from agora.sandbox.base import Sandbox


class EpisodeSandbox:
    """Holds an env's sandbox: made lazily, reset between episodes, closed with the env.

    An episode that runs no code starts no container; no episode sees another's files or processes.

    Args:
        backend: ``"docker"`` (default) or ``"local"``, see `agora.sandbox.create`.
        **create_kwargs: passed to `agora.sandbox.create` (image, pool_size, limits).
    """

    def __init__(self, backend: str = "docker", **create_kwargs: Any):
        self.backend = backend
        self.create_kwargs = create_kwargs
        self._box: Sandbox | None = None
        self._dirty = False

    def get(self) -> Sandbox:
        """The sandbox of this episode, clean at the episode's first use."""
        from agora.sandbox import create

        if self._box is None:
            self._box = create(backend=self.backend, **self.create_kwargs)
        elif self._dirty:
            self._box.reset()
        self._dirty = False
        return self._box

    def new_episode(self) -> None:
        """Marks the sandbox for a reset before its next use."""
        self._dirty = self._box is not None

    def close(self) -> None:
        """Gives the sandbox back."""
        if self._box is not None:
            self._box.close()
            self._box = None
