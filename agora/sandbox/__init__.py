r"""Run untrusted, model-written code: the `Sandbox` API and its backends.

>>> import agora.sandbox
>>> with agora.sandbox.create(backend="docker", memory_mb=256) as box:   # doctest: +SKIP
...     box.exec("python3 -c 'print(6 * 7)'").stdout
'42\\n'

Backends: ``docker`` (default; untrusted code: no network, non-root, read-only image, resource limits, a
warm pool of containers) and ``local`` (bubblewrap, for machines without a Docker engine; weaker, for
trusted code only: see `agora.sandbox.local_backend`). Limits are `Limits` fields passed as keywords.
"""

from __future__ import annotations

from typing import Any

from agora.sandbox.base import Sandbox
from agora.sandbox.messages import ExecResult, Limits

BACKENDS = ("docker", "local")

__all__ = ["BACKENDS", "ISOLATION_NOTE", "ExecResult", "Limits", "Sandbox", "create", "seccomp_warning"]

ISOLATION_NOTE = (
    "code runs in agora.sandbox. backend='docker' (default): a container with no network, uid 1000, no "
    "capabilities, no-new-privileges, read-only root, memory/CPU/pids/disk limits, every process killed at "
    "the timeout. backend='local' (bubblewrap): WEAKER, for trusted code only: namespaces with no network "
    "and "
    "a read-only host /usr, but no cgroup memory or process limits (a fork bomb reaches the host's limits)."
)
"""What envs that run code show under `agora info` (the `isolation_note` hook)."""


def seccomp_warning() -> str | None:
    """Why Docker sandboxes would run without a system-call filter here (the engine cannot enforce one), or None.

    None too when no engine answers or the SDK is missing: `create` reports those itself.
    """
    try:
        from agora.sandbox.docker_backend import SECCOMP_WARNING, docker_client
        from agora.sandbox.seccomp import engine_enforces_seccomp

        return None if engine_enforces_seccomp(docker_client()) else SECCOMP_WARNING
    except Exception:
        return None


def create(backend: str = "docker", image: str | None = None, *, pool_size: int = 2, **limits: Any) -> Sandbox:
    """Makes a sandbox; `limits` are `Limits` fields (memory_mb, cpus, pids, disk_mb, timeout_s, ...).

    `image` is a Docker image (default ``agora-sandbox-python:latest``, built by ``agora containers
    build``); the local backend runs the host's own programs and takes no image. `pool_size` is how
    many ready containers the Docker backend keeps warm for this image and limits.
    """
    parsed = Limits(**limits)
    if backend == "docker":
        from agora.sandbox.docker_backend import DockerSandbox

        return DockerSandbox(image, parsed, pool_size=pool_size)
    if backend == "local":
        from agora.sandbox.local_backend import LocalSandbox

        if image is not None:
            raise ValueError("the local backend runs the host's programs and takes no image; pass image=None.")
        return LocalSandbox(parsed)
    raise ValueError(f"Unknown sandbox backend {backend!r}; choose one of {', '.join(BACKENDS)}.")
