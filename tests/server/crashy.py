"""Envs that misbehave on purpose, served to prove the server survives them."""

from __future__ import annotations

import time
from typing import Any

from agora_example_plugin.count_up import CountUp

CLOSED: list[int] = []
"""ids of `Tracked` envs closed so far (the server runs in the test's process)."""


class CrashOnStep(CountUp):
    """Raises a plain ValueError when the action is "boom", and an unusual exception for "odd"."""

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        if action == "boom":
            raise ValueError("the env blew up on 'boom'")
        if action == "odd":
            raise LookupError("an exception type the client has no counterpart for")
        return super()._step(action)


class SlowStep(CountUp):
    """Every step takes 0.1 s (a browser or a sandbox): it must never run on the server's event loop."""

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        time.sleep(0.1)
        return super()._step(action)


class Tracked(CountUp):
    """Records its `close` in CLOSED."""

    def close(self) -> None:
        CLOSED.append(id(self))
        super().close()


def register() -> None:
    """Registers them under the `testing` family (once)."""
    import agora

    known = set(agora.list_envs("testing"))
    for name, cls in (("CrashOnStep", CrashOnStep), ("Tracked", Tracked), ("SlowStep", SlowStep)):
        if f"testing/{name}-v0" not in known:
            agora.register(f"testing/{name}-v0", f"tests.server.crashy:{cls.__name__}")
