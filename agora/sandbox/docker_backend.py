"""Docker backend: one container per sandbox, driven through its attached stdin/stdout, from a warm pool.

Isolation: no network (``network_mode="none"``), user 1000, ``cap_drop=["ALL"]``, ``no-new-privileges``,
agora's own seccomp profile applied explicitly (`agora.sandbox.seccomp`; a warning when the engine cannot
enforce one), read-only root filesystem, size-limited tmpfs work dir (/work) and /tmp, memory (no swap), CPU
and pids limits, a private IPC namespace emptied at every reset, and no container log (replies travel over
the attach stream; a json-file log would copy every byte of output to the host's disk). The command server
is PID 1, so policy code cannot signal it; at a timeout it kills every other process in the container. A
lost engine is `EngineUnavailable` (a `SandboxError`: envs report it as ``infra_error``). The `docker` SDK
is imported only here and in `agora.sandbox.docker_engine`.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
import warnings
from typing import Any, ClassVar

from agora._optional import require
from agora.errors import EngineUnavailable, ImageNotBuilt, SandboxError
from agora.lazy import ProcessWide
from agora.sandbox.base import Channel, Sandbox, roundtrip
from agora.sandbox.docker_engine import docker_client
from agora.sandbox.images import SERVER_LABEL, server_digest
from agora.sandbox.messages import Limits, PingReply, PingRequest, ResetReply, ResetRequest
from agora.sandbox.seccomp import engine_enforces_seccomp, security_opt

DEFAULT_IMAGE = "agora-sandbox-python:latest"
LABEL = "agora.sandbox"


class AttachedChannel(Channel):
    """The container's stdin/stdout over the engine's attach stream (8-byte frame headers)."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._frames = bytearray()  # raw bytes from the engine, headers included
        self._lines = bytearray()  # payload bytes not yet returned

    def send(self, data: bytes) -> None:
        """Writes to the server's stdin."""
        self._sock.sendall(data)

    def recv_line(self, timeout_s: float) -> bytes:
        """The next reply line, b'' at end of stream."""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._lines:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._sock], [], [], remaining)[0]:
                raise TimeoutError(f"no reply within {timeout_s:.1f} s")
            chunk = self._sock.recv(1 << 20)
            if not chunk:
                return b""
            self._frames += chunk
            self._unframe()
        line, _, rest = bytes(self._lines).partition(b"\n")
        self._lines = bytearray(rest)
        return line

    def _unframe(self) -> None:
        while len(self._frames) >= 8:
            stream, size = self._frames[0], struct.unpack(">I", self._frames[4:8])[0]
            if len(self._frames) < 8 + size:
                return
            if stream == 1:  # stdout; stderr (2) is not attached
                self._lines += self._frames[8 : 8 + size]
            del self._frames[: 8 + size]

    def close(self) -> None:
        """Closes the stream; the server sees EOF and exits, and the engine removes the container."""
        try:
            self._sock.close()
        except OSError:
            pass


class Container:
    """One running sandbox container and its channel; `EngineUnavailable` when the engine does not answer."""

    def __init__(self, client: Any, image: str, limits: Limits, seccomp: bool = True):
        docker = require("docker", "sandbox")
        self.api = client.api
        self.id: str | None = None
        try:
            self._create(docker, image, limits, seccomp)
        except SandboxError:
            raise
        except docker.errors.APIError as e:  # the engine answered but refused
            self.remove()
            raise SandboxError(f"The Docker engine could not start a sandbox: {e}", command="docker create") from e
        except Exception as e:  # requests' ConnectionError and the like: the engine is gone
            self.remove()
            raise EngineUnavailable(e) from e

    def _create(self, docker: Any, image: str, limits: Limits, seccomp: bool) -> None:
        try:
            # detach=False with stdin_open sets StdinOnce: when this process goes, stdin closes, the
            # server exits, and the engine removes the container (no leak even on a crash).
            self.id = self.api.create_container(
                image,
                detach=False,
                stdin_open=True,
                tty=False,
                user="1000:1000",
                labels={LABEL: "1"},
                environment={"AGORA_WORK_DIR": "/work"},
                network_disabled=True,
                host_config=self.api.create_host_config(**_host_config(limits, seccomp)),
            )["Id"]
        except docker.errors.ImageNotFound as e:
            raise ImageNotBuilt(image) from e
        raw = self.api.attach_socket(self.id, params={"stdin": 1, "stdout": 1, "stream": 1})
        self.channel = AttachedChannel(getattr(raw, "_sock", raw))
        self.api.start(self.id)

    def remove(self) -> None:
        """Closes the channel and removes the container."""
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.id is None:
            return
        try:
            self.api.remove_container(self.id, force=True)
        except Exception:
            pass  # auto_remove may have won the race, or the engine is gone (stdin closed: it exits)


def _host_config(limits: Limits, seccomp: bool = True) -> dict[str, Any]:
    work = f"size={limits.disk_mb}m,uid=1000,gid=1000,mode=0700,exec"
    return dict(
        auto_remove=True,
        network_mode="none",
        cap_drop=["ALL"],
        security_opt=["no-new-privileges", *([security_opt()] if seccomp else [])],
        log_config={"type": "none", "config": {}},
        ipc_mode="private",
        read_only=True,
        tmpfs={"/work": work, "/tmp": f"size={limits.disk_mb}m,mode=1777"},
        shm_size="16m",
        mem_limit=f"{limits.memory_mb}m",
        memswap_limit=f"{limits.memory_mb}m",
        nano_cpus=int(limits.cpus * 1e9),
        pids_limit=limits.pids,
    )


def check_image(client: Any, image: str) -> str:
    """The image to run for `image`: itself, or a build of the same repository with this command server.

    Several checkouts may share one engine and move ``:latest`` between their builds; a build whose
    label matches this checkout's command server is as good. Raises `ImageNotBuilt` when there is none.
    """
    docker = require("docker", "sandbox")
    try:
        labels = client.images.get(image).labels or {}
    except docker.errors.ImageNotFound as e:
        raise ImageNotBuilt(image) from e
    if labels.get(SERVER_LABEL, server_digest()) == server_digest():
        return image
    repository = image.rsplit(":", 1)[0]
    for candidate in client.images.list(name=repository, filters={"label": f"{SERVER_LABEL}={server_digest()}"}):
        if candidate.tags:
            return candidate.tags[0]
    raise ImageNotBuilt(image, stale=True)


_SECCOMP_WARNED = False


def seccomp_supported(client: Any) -> bool:
    """Whether the engine applies seccomp profiles; warns once (a `RuntimeWarning`) when it cannot."""
    global _SECCOMP_WARNED
    if engine_enforces_seccomp(client):
        return True
    if not _SECCOMP_WARNED:
        _SECCOMP_WARNED = True
        warnings.warn(SECCOMP_WARNING, RuntimeWarning, stacklevel=3)
    return False


SECCOMP_WARNING = (
    "The Docker engine cannot enforce a seccomp profile (its security options lack seccomp): sandboxes run "
    "without a system-call filter, so the host kernel is more exposed. Run the engine on a kernel and build "
    "with seccomp support."
)


def prune_stale(client: Any, min_age_s: float = 60.0) -> None:
    """Removes sandbox containers left created but never started (a process died between the two calls).

    Started ones need no pruning: when their owner dies, stdin closes, the server exits and the engine
    removes them (``auto_remove``).
    """
    # The low-level list returns each container's creation time without inspecting it one by one, so a
    # container removed meanwhile by another process cannot make the listing itself fail (NotFound).
    for entry in client.api.containers(all=True, filters={"label": LABEL, "status": "created"}):
        if time.time() - entry["Created"] > min_age_s:
            try:
                client.api.remove_container(entry["Id"], force=True)
            except Exception:
                pass  # another process removed it first


class WarmPool:
    """Ready containers of one image and set of limits, refilled in the background.

    `acquire` takes a ready container (or starts one); `release` resets it and keeps it only if the reset
    left it clean, so no episode sees another's files or processes.
    """

    def __init__(self, image: str, limits: Limits, size: int):
        self.image, self.limits, self.size = image, limits, size
        self._client = docker_client()
        prune_stale(self._client)
        self.image = check_image(self._client, image)
        self.seccomp = seccomp_supported(self._client)
        self._ready: list[Container] = []
        self._lock = threading.Lock()
        self._filling = False
        self._closed = False

    def start(self) -> Container:
        """A new container whose server has answered a ping."""
        container = Container(self._client, self.image, self.limits, self.seccomp)
        try:
            _ping(container.channel)
        except Exception:
            container.remove()
            raise
        return container

    def acquire(self) -> Container:
        """A clean running container, from the pool when one is ready."""
        with self._lock:
            container = self._ready.pop() if self._ready else None
        self._refill_async()
        return container or self.start()

    def release(self, container: Container) -> None:
        """Cleans a container and keeps it warm (next in line), or removes it when the reset fails."""
        if self._closed or not _reset_clean(container.channel):
            container.remove()
            return
        with self._lock:
            if self._closed:
                extra = [container]
            else:
                self._ready.append(container)  # acquire pops from the end: a recycled container goes first
                extra = self._ready[: -self.size] if self.size else list(self._ready)
                self._ready = self._ready[len(extra) :]
        for old in extra:
            old.remove()

    def _refill_async(self) -> None:
        with self._lock:
            if self._filling or self._closed or len(self._ready) >= self.size:
                return
            self._filling = True
        threading.Thread(target=self._refill, name="agora-sandbox-refill", daemon=True).start()

    def _refill(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._closed or len(self._ready) >= self.size:
                        return
                self._keep(self.start())
        except Exception:
            pass  # the next acquire starts one itself and reports the error
        finally:
            self._filling = False

    def warm(self) -> None:
        """Fills the pool now (blocking)."""
        while len(self._ready) < self.size and not self._closed:
            self._keep(self.start())

    def _keep(self, container: Container) -> None:
        """Adds a new container to the ready list, or removes it when the pool closed meanwhile."""
        with self._lock:
            if not self._closed:
                self._ready.append(container)
                return
        container.remove()  # close() ran while it started: nothing may outlive the pool

    def close(self) -> None:
        """Removes every ready container."""
        with self._lock:
            self._closed = True
            ready, self._ready = self._ready, []
        for container in ready:
            container.remove()


def _ping(channel: AttachedChannel) -> None:
    roundtrip(channel, PingRequest(), PingReply, 20.0)


def _reset_clean(channel: AttachedChannel) -> bool:
    try:
        return roundtrip(channel, ResetRequest(), ResetReply, 20.0).clean
    except SandboxError:
        return False


_POOLS: ProcessWide[WarmPool] = ProcessWide(close=WarmPool.close)


def get_pool(image: str, limits: Limits, size: int) -> WarmPool:
    """The process-wide pool for this image and limits (made on first use)."""
    pool = _POOLS.get(lambda: WarmPool(image, limits, size), key=(image, limits))
    with _POOLS.lock:
        pool.size = max(pool.size, size)
    return pool


def close_pools() -> None:
    """Removes every pooled container (also run at exit)."""
    _POOLS.close_all()


class DockerSandbox(Sandbox):
    """A sandbox in a Docker container from the warm pool (see the module docs for the isolation)."""

    backend: ClassVar[str] = "docker"
    isolation: ClassVar[str] = (
        "container: no network, non-root, no capabilities, read-only root, memory/CPU/pids/disk limits"
    )

    def __init__(self, image: str | None, limits: Limits, pool_size: int = 2):
        super().__init__(limits)
        self.image = image or DEFAULT_IMAGE
        self._pool = get_pool(self.image, limits, pool_size)
        self._container: Container | None = None
        self._channel = self._open()

    def _open(self) -> AttachedChannel:
        self._container = self._pool.acquire()
        return self._container.channel

    def _discard(self, channel: Channel) -> None:
        container, self._container = self._container, None
        if container is not None:
            container.remove()

    def close(self) -> None:
        """Gives the container back to the pool (cleaned) or removes it."""
        container, self._container, self._channel = self._container, None, None
        if container is not None:
            self._pool.release(container)
