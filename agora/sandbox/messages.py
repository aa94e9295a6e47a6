"""Typed messages of the sandbox: limits, requests to the command server, and its results.

Everything that crosses the host/sandbox boundary is a pydantic model with ``extra="forbid"``, parsed
with `model_validate`, so a protocol mismatch fails loudly instead of reading a default.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_OUTPUT_BYTES = 64 * 1024
"""Default cap on each of stdout and stderr; the rest is dropped and `ExecResult.truncated` is set."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _request_id() -> str:
    return secrets.token_hex(8)


class _Request(_Strict):
    """A request carries a random id that its reply must echo: code in the sandbox cannot forge replies."""

    id: str = Field(default_factory=_request_id)


class _Reply(_Strict):
    id: str


class Limits(_Strict):
    """Resource limits of one sandbox (units in the names)."""

    memory_mb: int = Field(512, ge=16, description="RAM for all processes; over it the kernel kills (exit 137)")
    cpus: float = Field(1.0, gt=0, description="CPU share (cores)")
    pids: int = Field(128, ge=8, description="most processes and threads alive at once (stops fork bombs)")
    disk_mb: int = Field(64, ge=1, description="size of the writable work dir /work (and of /tmp)")
    timeout_s: float = Field(30.0, gt=0, description="default wall-clock limit of one exec")
    max_output_bytes: int = Field(MAX_OUTPUT_BYTES, ge=1, description="cap on each of stdout and stderr")


class ExecRequest(_Request):
    """Runs `cmd` with ``/bin/sh -c`` in the work dir."""

    op: Literal["exec"] = "exec"
    cmd: str
    timeout_s: float = Field(gt=0)
    max_output_bytes: int = Field(ge=1)
    keep_processes: bool = Field(
        False, description="leave the processes it started running (until reset); at the timeout only its own die"
    )


class WriteFileRequest(_Request):
    """Writes a file; a relative path is under the work dir."""

    op: Literal["write_file"] = "write_file"
    path: str
    data_b64: str


class ReadFileRequest(_Request):
    """Reads at most `max_bytes` of a file."""

    op: Literal["read_file"] = "read_file"
    path: str
    max_bytes: int = Field(ge=1)


class ResetRequest(_Request):
    """Kills every process and empties the writable dirs."""

    op: Literal["reset"] = "reset"


class PingRequest(_Request):
    """Asks the server whether it is alive."""

    op: Literal["ping"] = "ping"


class ExecResult(_Strict):
    """What one command did. A failed, timed-out or out-of-memory command is a result, not an error."""

    exit_code: int = Field(description="the shell's exit status; 128+N when killed by signal N (137: SIGKILL)")
    stdout: str
    stderr: str
    timed_out: bool = Field(description="killed (with every process it started) at the wall-clock limit")
    duration_s: float
    truncated: bool = Field(False, description="stdout or stderr passed max_output_bytes; the rest was dropped")
    oom_killed: bool = Field(False, description="the kernel killed a process for passing the memory limit")

    @property
    def succeeded(self) -> bool:
        """True when the command exited 0 in time."""
        return self.exit_code == 0 and not self.timed_out


class ErrorReply(_Reply):
    """The server could not do the request (e.g. the file does not exist)."""

    ok: Literal[False]
    error: str


class ExecReply(ExecResult):
    """The server's answer to an `ExecRequest`."""

    ok: Literal[True]
    id: str


class ReadFileReply(_Reply):
    """The server's answer to a `ReadFileRequest`."""

    ok: Literal[True]
    data_b64: str
    truncated: bool


class Ack(_Reply):
    """The server's answer to a `WriteFileRequest`."""

    ok: Literal[True]


class ResetReply(Ack):
    """The server's answer to a `ResetRequest`: whether nothing survived (no process, file or IPC object)."""

    clean: bool
    leftovers: list[str] = Field(default_factory=list, description="what survived, when not clean (up to 20)")


class PingReply(Ack):
    """The server's answer to a `PingRequest`."""

    pid: int
