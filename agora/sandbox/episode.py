"""`EpisodeSandbox`: the sandbox an env owns, started on first use and cleaned at every new episode.

`SandboxedEnv` is the mixin that gives an env one (the constructor path every sandboxed env shares).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from agora.sandbox import ISOLATION_NOTE
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

    def use_image(self, image: str) -> None:
        """Makes the next sandbox from `image`; a sandbox of another image is given back first."""
        if self.create_kwargs.get("image") != image:
            self.close()
            self.create_kwargs["image"] = image

    def new_episode(self) -> None:
        """Marks the sandbox for a reset before its next use."""
        self._dirty = self._box is not None

    def close(self) -> None:
        """Gives the sandbox back."""
        if self._box is not None:
            self._box.close()
            self._box = None


class SandboxedEnv:
    """Mixin for envs that run the agent's code: the one constructor path for ``backend`` and sandbox options.

    Put it first in the bases (``class PythonCalc(SandboxedEnv, ToolEnv)``). It owns
    ``self.sandbox`` (an `EpisodeSandbox`), shows the isolation note under `agora info`, and closes
    the sandbox with the env; subclasses call ``self.sandbox.new_episode()`` in ``_reset``. A subclass
    sets `sandbox_defaults` for the options its sandbox gets unless the caller passes them.

    Args:
        backend: ``"docker"`` (default; for untrusted code) or ``"local"`` (bubblewrap; trusted code only).
        render_mode: passed on to the env base class.
        **sandbox_kwargs: passed to `agora.sandbox.create` (``image``, ``pool_size``, limits such as ``memory_mb``).
    """

    isolation_note: ClassVar[str] = ISOLATION_NOTE
    sandbox_defaults: ClassVar[Mapping[str, Any]] = {}
    """Options of `agora.sandbox.create` this env's sandbox gets unless the caller passes them."""

    def __init__(self, backend: str = "docker", render_mode: str | None = None, **sandbox_kwargs: Any):
        super().__init__(render_mode=render_mode)  # type: ignore[call-arg]
        self.sandbox = EpisodeSandbox(backend, **{**self.sandbox_defaults, **sandbox_kwargs})

    def close(self) -> None:
        """Gives the sandbox back, then closes the env."""
        self.sandbox.close()
        super().close()  # type: ignore[misc]
