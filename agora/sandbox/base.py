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

from pydantic import BaseModel, ValidationError

from agora.errors import SandboxCrashed, SandboxError
from agora.sandbox.models import (
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


class Sandbox(ABC):
    """An isolated place to run untrusted commands: ``exec``, ``write_file``, ``read_file``, ``reset``.

    Use as a context manager; ``close()`` gives the sandbox back (a pooled container is cleaned first).
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
        channel = self._channel = self._channel or self._open()
        command = getattr(request, "cmd", request.__class__.__name__)
        try:
            channel.send(request.model_dump_json().encode() + b"\n")
            line = channel.recv_line(timeout_s + _GRACE_S)
        except (OSError, TimeoutError) as e:
            self._drop()
            raise SandboxCrashed(
                f"the sandbox stopped answering ({e}); it will be replaced on the next call.", command=command
            ) from e
        if not line:
            self._drop()
            raise SandboxCrashed(
                "the sandbox's command server died (killed by the kernel?); it will be replaced "
                "on the next call.",
                command=command,
            )
        return self._parse(line, reply_type, command)

    @staticmethod
    def _parse(line: bytes, reply_type: type[Reply], command: str) -> Reply:
        data = json.loads(line)
        if not data.get("ok"):
            raise SandboxError(ErrorReply.model_validate(data).error, command=command)
        try:
            return reply_type.model_validate(data)
        except ValidationError as e:
            raise SandboxError(
                f"the command server sent a reply this host does not understand: {e}", command=command
            ) from e

    def _drop(self) -> None:
        if self._channel is not None:
            channel, self._channel = self._channel, None
            self._discard(channel)

    def exec(self, cmd: str, timeout_s: float | None = None) -> ExecResult:
        """Runs a shell command; every process it started is killed when it ends or times out."""
        timeout_s = self.limits.timeout_s if timeout_s is None else timeout_s
        request = ExecRequest(cmd=cmd, timeout_s=timeout_s, max_output_bytes=self.limits.max_output_bytes)
        reply = self._call(request, ExecReply, timeout_s)
        return ExecResult.model_validate(reply.model_dump(exclude={"ok"}))

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

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
