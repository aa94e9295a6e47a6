"""The `Sandbox` API shared by every backend: exec, files, reset, close, over the command server.

A backend supplies a `Channel` (a byte pipe to `cmdserver.py` running inside the sandbox) and knows how
to replace a sandbox whose server died; everything else (typed requests and replies, limits, crash
handling) lives here once.
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from typing import ClassVar, TypeVar

from pydantic import BaseModel

from agora.errors import SandboxCrashed, SandboxError
from agora.sandbox.messages import (
    Ack,
    ErrorReply,
    ExecReply,
    ExecRequest,
    ExecResult,
    Limits,
    PingReply,
    PingRequest,
    ReadFileReply,
    ReadFileRequest,
    ResetReply,
    ResetRequest,
    WriteFileRequest,
)

Reply = TypeVar("Reply", bound=BaseModel)
READ_FILE_MAX_BYTES = 16 * 1024 * 1024
_GRACE_S = 10.0  # how long past a command's own timeout the host waits for the server's reply


class Channel(ABC):
    """A line-oriented pipe to one command server."""

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Writes bytes to the server's stdin."""

    @abstractmethod
    def recv_line(self, timeout_s: float) -> bytes:
        """One reply line; b'' when the server is gone; raises TimeoutError after `timeout_s`."""

    @abstractmethod
    def close(self) -> None:
        """Closes the pipe (the server exits when its stdin closes)."""


def roundtrip(channel: Channel, request: BaseModel, reply_type: type[Reply], timeout_s: float) -> Reply:
    """Sends one request and returns its validated reply.

    Raises `SandboxCrashed` when the server is gone, silent, or breaks the protocol (a reply that is not
    JSON or does not echo the request's id: nothing it says can be trusted then), and `SandboxError`
    when it answers that the request failed.
    """
    command = getattr(request, "cmd", type(request).__name__)
    try:
        channel.send(request.model_dump_json().encode() + b"\n")
        line = channel.recv_line(timeout_s + _GRACE_S)
    except (OSError, TimeoutError) as e:
        raise SandboxCrashed(f"the sandbox stopped answering ({e}); it will be replaced.", command=command) from e
    if not line:
        raise SandboxCrashed(
            "the sandbox's command server died (killed by the kernel?); it will be replaced.", command=command
        )
    try:
        data = json.loads(line)
        if data.get("id") != getattr(request, "id", None):
            raise ValueError(f"reply id {data.get('id')!r} does not match the request's")
        if not data.get("ok"):
            raise SandboxError(ErrorReply.model_validate(data).error, command=command)
        return reply_type.model_validate(data)
    except (ValueError, AttributeError) as e:  # ValidationError is a ValueError
        raise SandboxCrashed(f"the sandbox broke the protocol ({e}); it will be replaced.", command=command) from e


class Sandbox(ABC):
    """An isolated place to run untrusted commands: ``exec``, ``write_file``, ``read_file``, ``reset``.

    Use as a context manager; ``close()`` gives the sandbox back (a pooled container is cleaned first).
    One sandbox serves one caller at a time (one per episode or thread); make more for parallel work.
    """

    backend: ClassVar[str]
    isolation: ClassVar[str]
    """One line on what the backend protects against, shown by `agora info`."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._channel: Channel | None = None

    @abstractmethod
    def _open(self) -> Channel:
        """Starts (or takes from a pool) a fresh sandbox and returns its channel."""

    @abstractmethod
    def _discard(self, channel: Channel) -> None:
        """Throws away a sandbox whose state cannot be trusted (server died or timed out)."""

    def _call(self, request: BaseModel, reply_type: type[Reply], timeout_s: float) -> Reply:
        self._channel = self._channel or self._open()
        try:
            return roundtrip(self._channel, request, reply_type, timeout_s)
        except SandboxCrashed:
            self._drop()
            raise

    def _drop(self) -> None:
        if self._channel is not None:
            channel, self._channel = self._channel, None
            self._discard(channel)

    def exec(self, cmd: str, timeout_s: float | None = None, keep_processes: bool = False) -> ExecResult:
        """Runs a shell command; every process it started is killed when it ends or times out.

        With `keep_processes`, what it starts in the background (its output redirected) runs on until the
        next `reset` (a desktop's X server and applications); at the timeout only its own process group dies.
        """
        timeout_s = self.limits.timeout_s if timeout_s is None else timeout_s
        request = ExecRequest(
            cmd=cmd, timeout_s=timeout_s, max_output_bytes=self.limits.max_output_bytes, keep_processes=keep_processes
        )
        reply = self._call(request, ExecReply, timeout_s)
        return ExecResult.model_validate(reply.model_dump(exclude={"ok", "id"}))

    def write_file(self, path: str, data: str | bytes) -> None:
        """Writes a file inside the sandbox (a relative path is under the work dir)."""
        raw = data.encode() if isinstance(data, str) else data
        self._call(WriteFileRequest(path=path, data_b64=base64.b64encode(raw).decode()), Ack, _GRACE_S)

    def read_file(self, path: str, max_bytes: int = READ_FILE_MAX_BYTES) -> bytes:
        """Reads a file from inside the sandbox (at most `max_bytes`)."""
        reply = self._call(ReadFileRequest(path=path, max_bytes=max_bytes), ReadFileReply, _GRACE_S)
        return base64.b64decode(reply.data_b64)

    def reset(self) -> None:
        """Back to a clean state for a new episode: processes killed, work dir empty (or a new sandbox)."""
        try:
            reply = self._call(ResetRequest(), ResetReply, _GRACE_S)
        except SandboxError:
            reply = None
        if reply is None or not reply.clean:
            self._drop()
            self._channel = self._open()

    def ping(self) -> None:
        """Raises `SandboxError` unless the command server answers."""
        self._call(PingRequest(), PingReply, _GRACE_S)

    def close(self) -> None:
        """Gives the sandbox back; further calls start a new one."""
        self._drop()

    def discard(self) -> None:
        """Removes the sandbox instead of giving it back, so no later caller ever gets it (e.g. after grading).

        With a pool of its own (an image and limits that nothing else uses), every sandbox is then fresh.
        """
        self._drop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
