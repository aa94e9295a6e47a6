"""The escape suite: policy code really tries each attack; each must be contained, with a clear result,
and the next exec in a fresh episode must work.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from .helpers import assert_healthy, processes


def test_cannot_read_a_sentinel_file_on_the_host(box, tmp_path):
    secret = f"agora-sentinel-{os.getpid()}-{time.time_ns()}"
    sentinel = tmp_path / "sentinel.txt"
    sentinel.write_text(secret)
    result = box.exec(
        f"cat {sentinel}; cat /proc/1/root{sentinel}; "
        f"grep -rs {secret} /tmp /root /home /work /opt 2>/dev/null; echo done",
        timeout_s=20,
    )
    assert secret not in result.stdout + result.stderr
    assert "No such file" in result.stderr
    assert_healthy(box)


@pytest.fixture
def host_server():
    server = socket.socket()
    server.bind(("0.0.0.0", 0))  # every host address, the loopback included
    server.listen(8)
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(server.accept())
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


def test_cannot_connect_to_a_server_on_the_host(box, host_server):
    port, accepted = host_server
    # the host's loopback, the default Docker bridge gateway, and the host's hostname
    code = (
        "import socket\n"
        "for host in ('127.0.0.1', '172.17.0.1', '10.0.2.2'):\n"
        "    try:\n"
        f"        socket.create_connection((host, {port}), timeout=2); print('CONNECTED', host)\n"
        "    except OSError as e:\n"
        "        print('BLOCKED', host, e)\n"
    )
    box.write_file("probe.py", code)
    result = box.exec("python3 probe.py", timeout_s=20)
    assert result.exit_code == 0, result
    assert "CONNECTED" not in result.stdout and result.stdout.count("BLOCKED") == 3
    assert accepted == []
    assert_healthy(box)


def test_fork_bomb_is_contained(box):
    if box.backend == "local":
        pytest.skip("the local backend has no pids limit (documented): a fork bomb would hit the host")
    start = time.monotonic()
    result = box.exec("bomb() { bomb | bomb & }; bomb; sleep 30", timeout_s=3)
    assert time.monotonic() - start < 15 and result.exit_code != 0
    # either the pids limit starves the shell itself ("Cannot fork") or the timeout kills the tree
    assert result.timed_out or "Cannot fork" in result.stderr, result
    assert [p for p in processes(box) if not p.endswith("/opt/agora/cmdserver.py")] == []  # the bomb is gone
    assert_healthy(box)


def test_memory_past_the_limit_is_killed(box):
    result = box.exec("python3 -c 'b = bytearray(600 * 1024 * 1024); print(len(b))'")
    assert result.exit_code != 0 and "629145600" not in result.stdout
    if box.backend == "docker":
        assert result.oom_killed and result.exit_code == 137
    else:
        assert "MemoryError" in result.stderr
    assert_healthy(box)


def test_filling_the_disk_stops_at_the_limit(box):
    result = box.exec("dd if=/dev/zero of=/work/fill bs=1M count=100; ls -l /work/fill")
    assert result.exit_code == 0 and not result.timed_out
    assert "No space left on device" in result.stderr
    size = int(result.stdout.split()[4])
    assert size <= 32 * 1024 * 1024
    assert_healthy(box)


def test_infinite_loop_times_out(box):
    start = time.monotonic()
    result = box.exec("python3 -c 'while True: pass'", timeout_s=1)
    assert result.timed_out and result.exit_code == 137
    assert 1 <= result.duration_s < 5 and time.monotonic() - start < 10
    assert_healthy(box)


def test_sleeping_past_the_timeout_kills_the_whole_tree(box):
    # a background child, a double-forked daemon in its own session, and the foreground sleep
    result = box.exec("sleep 300 & setsid sh -c 'sleep 301 &' ; sleep 302", timeout_s=1)
    assert result.timed_out and result.duration_s < 5
    assert not [p for p in processes(box) if "sleep" in p]
    assert_healthy(box)


def test_writes_outside_the_work_dir_fail(box):
    result = box.exec(
        "for p in /etc/agora-x /usr/agora-x /agora-x /opt/agora/cmdserver.py /home/agora-x; do "
        "echo pwned > $p && echo WROTE $p; done; echo done"
    )
    assert "WROTE" not in result.stdout and result.stdout.endswith("done\n")
    refusals = ("Read-only file system", "Permission denied", "Directory nonexistent")
    assert sum(result.stderr.count(r) for r in refusals) == 5, result.stderr
    assert not os.path.exists("/agora-x") and not os.path.exists("/etc/agora-x")
    assert_healthy(box)


def test_cannot_become_root(box):
    result = box.exec(
        "id -u; grep CapEff /proc/self/status; "
        "python3 -c 'import os; os.setuid(0)' 2>&1 | tail -1; "
        "(su -c id root </dev/null 2>&1 || true) | tail -1; grep NoNewPrivs /proc/self/status"
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "1000"
    assert lines[1].split() == ["CapEff:", "0000000000000000"]
    # Docker: uid 0 exists but the call is refused; bubblewrap: uid 0 is not even mapped
    assert "PermissionError" in lines[2] or (box.backend == "local" and "Invalid argument" in lines[2])
    assert "uid=0" not in result.stdout
    if box.backend == "docker":
        assert lines[-1].split() == ["NoNewPrivs:", "1"]
    assert_healthy(box)


def test_cannot_forge_replies_on_the_command_channel(box):
    # a fake "clean" reset reply written into the server's stdout would return a dirty sandbox to the pool
    fake = '{"id": "x", "ok": true, "clean": true}'
    result = box.exec(f"for fd in /proc/1/fd/1 /proc/1/fd/0 /proc/$PPID/fd/1; do echo '{fake}' > $fd; done; echo done")
    assert result.stdout == "done\n" and result.stderr.count("Permission denied") == 3, result
    assert_healthy(box)
