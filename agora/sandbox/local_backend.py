"""Local backend: the command server under bubblewrap, for machines without a Docker engine.

**Weaker isolation; trusted code only.** bubblewrap (Debian's `bubblewrap`) gives new user, PID, network,
IPC and UTS namespaces: no network at all (not even the host's loopback), uid 1000, no capabilities, the
host's ``/usr`` read-only and nothing else of the host's files, size-limited tmpfs ``/work`` and ``/tmp``,
and a timeout that kills every process in the namespace. What it does NOT give, unlike the Docker
backend: a cgroup memory, CPU or process limit (memory is an address-space rlimit per process; a fork
bomb is stopped only by the timeout and the host's own limits), and the host kernel is exposed to the
code through a larger set of system calls. It runs the host's programs (``/usr/bin/python3``).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import ClassVar

from agora.errors import SandboxError
from agora.sandbox.base import Channel, Sandbox
from agora.sandbox.messages import Limits

SERVER_FILE = Path(__file__).with_name("cmdserver.py")
PYTHON = "/usr/bin/python3"


# fmt: off
_ISOLATION = ["--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000", "--die-with-parent",
              "--as-pid-1", "--new-session", "--cap-drop", "ALL"]
_HOST_FILES = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64",
               "/lib64", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--proc", "/proc",
               "--dev", "/dev", "--mqueue", "/dev/mqueue", "--ro-bind", str(SERVER_FILE), "/opt/agora/cmdserver.py"]
SERVER = [PYTHON, "-I", "-S", "-u", "/opt/agora/cmdserver.py"]
# fmt: on


def bwrap_command(limits: Limits) -> list[str]:
    """The bubblewrap command line that starts the command server with these limits."""
    disk = str(limits.disk_mb * 1024 * 1024)
    scratch = ["--size", disk, "--tmpfs", "/work", "--size", disk, "--tmpfs", "/tmp", "--remount-ro", "/"]
    env = ["--setenv", "AGORA_WORK_DIR", "/work", "--setenv", "AGORA_RLIMIT_AS_MB", str(limits.memory_mb)]
    env += ["--setenv", "HOME", "/work", "--chdir", "/work"]
    return ["bwrap", *_ISOLATION, *_HOST_FILES, *scratch, *env, *SERVER]


class PipeChannel(Channel):
    """The server's stdin/stdout as the pipes of a local process."""

    def __init__(self, proc: subprocess.Popen[bytes]):
        if proc.stdin is None or proc.stdout is None:
            raise ValueError("the command server's process needs stdin=PIPE and stdout=PIPE")
        self.proc = proc
        self._stdin, self._stdout = proc.stdin, proc.stdout
        self._buf = bytearray()

    def send(self, data: bytes) -> None:
        """Writes to the server's stdin."""
        self._stdin.write(data)
        self._stdin.flush()

    def recv_line(self, timeout_s: float) -> bytes:
        """The next reply line, b'' when the server exited."""
        deadline, fd = time.monotonic() + timeout_s, self._stdout.fileno()
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError(f"no reply within {timeout_s:.1f} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b""
            self._buf += chunk
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        return line

    def close(self) -> None:
        """Kills bubblewrap and with it every process in the sandbox."""
        self.proc.kill()
        self.proc.wait()
        self._stdin.close()
        self._stdout.close()


class LocalSandbox(Sandbox):
    """A bubblewrap sandbox on this host (see the module docs: weaker isolation, trusted code only)."""

    backend: ClassVar[str] = "local"
    isolation: ClassVar[str] = (
        "bubblewrap namespaces: no network, uid 1000, host /usr read-only; NO cgroup "
        "memory/pids limits: trusted code only"
    )

    def __init__(self, limits: Limits):
        super().__init__(limits)
        if shutil.which("bwrap") is None:
            raise SandboxError("The local sandbox backend needs bubblewrap: apt-get install bubblewrap")
        self._channel = self._open()

    def _open(self) -> PipeChannel:
        proc = subprocess.Popen(
            bwrap_command(self.limits),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        return PipeChannel(proc)

    def _discard(self, channel: Channel) -> None:
        channel.close()

    def close(self) -> None:
        """Stops the sandbox."""
        self._drop()
