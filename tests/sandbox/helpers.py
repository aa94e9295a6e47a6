"""Helpers shared by the sandbox tests (imported relatively: works under `pytest` and `python -m pytest`)."""

from __future__ import annotations

LIMITS = dict(memory_mb=256, pids=64, disk_mb=32, timeout_s=10.0)


def assert_healthy(box) -> None:
    """After an attack: a fresh episode in the same sandbox works."""
    box.reset()
    result = box.exec("echo ok; ls -A /work | wc -l")
    assert result.exit_code == 0 and result.stdout == "ok\n0\n", result


_LIST_PROCESSES = """
import os
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            print(open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode().strip())
        except OSError:
            pass
"""


def processes(box) -> list[str]:
    """The command lines of every process alive in the sandbox (no `ps` in a minimal image)."""
    box.write_file("/tmp/agora-ps.py", _LIST_PROCESSES)
    result = box.exec("python3 /tmp/agora-ps.py")
    assert result.exit_code == 0, result
    return [line for line in result.stdout.splitlines() if "agora-ps.py" not in line]
