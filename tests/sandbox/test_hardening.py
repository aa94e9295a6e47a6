"""Nothing survives into the next episode (IPC, files, processes), bounded logs, seccomp, engine loss, timeouts."""

from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest

import agora.sandbox
from agora.errors import EngineUnavailable
from agora.sandbox import docker_backend
from agora.sandbox.messages import Limits

from .helpers import LIMITS, processes

# Leaves one of everything a policy could hide state in: System V shared memory (holding a secret),
# a message queue and a semaphore set, a POSIX message queue, files in every writable dir, and
# processes (one detached in its own session, one that ignores SIGTERM).
PLANT = r"""
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shm = libc.shmget(0x4242, 4096, 0o1666)
address = libc.shmat(shm, None, 0)
ctypes.memmove(address, b"ANSWER-CACHE:42", 15)
msg = libc.msgget(0x4243, 0o1666)
sem = libc.semget(0x4244, 1, 0o1666)
mq = libc.mq_open(b"/agora-leak", os.O_CREAT | os.O_RDWR, 0o666, None)
for path in ("/work/left.txt", "/tmp/left.txt", "/dev/shm/left.txt"):
    open(path, "w").write("left")
subprocess.Popen(["sleep", "300"], start_new_session=True)
subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 300"], start_new_session=True)
print(shm, msg, sem, mq)
"""

# Reads back what PLANT left, from a fresh command of the next episode.
INSPECT = r"""
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
found = {kind: open(f"/proc/sysvipc/{kind}").read().splitlines()[1:] for kind in ("shm", "msg", "sem")}
shm = libc.shmget(0x4242, 4096, 0o666)
found["secret"] = ctypes.string_at(libc.shmat(shm, None, 0), 15).decode() if shm >= 0 else None
found["mqueue"] = os.listdir("/dev/mqueue") if os.path.isdir("/dev/mqueue") else []
found["files"] = [os.path.join(d, n) for d in ("/work", "/tmp", "/dev/shm") for n in os.listdir(d)]
print(json.dumps(found))
"""


def _inspect(box) -> dict:
    box.write_file("inspect.py", INSPECT)
    result = box.exec("python3 inspect.py")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_nothing_survives_into_the_next_episode(box):
    box.write_file("plant.py", PLANT)
    planted = box.exec("python3 plant.py")
    assert planted.exit_code == 0 and all(int(x) >= 0 for x in planted.stdout.split()), planted
    before = _inspect(box)  # the same episode sees its own state (the probe works)
    assert before["secret"] == "ANSWER-CACHE:42" and before["mqueue"] == ["agora-leak"]
    assert len(before["shm"]) == len(before["msg"]) == len(before["sem"]) == 1
    box.reset()
    after = _inspect(box)
    assert after == {"shm": [], "msg": [], "sem": [], "secret": None, "mqueue": [], "files": ["/work/inspect.py"]}
    assert not any("sleep" in p for p in processes(box))


def test_a_big_segment_does_not_starve_the_next_episode(box):
    """A 200 MB shared-memory segment (over most of the 256 MB limit) is gone after the reset."""
    script = (
        "import ctypes; libc = ctypes.CDLL(None); libc.shmat.restype = ctypes.c_void_p; "
        "s = libc.shmget(0x77, 200 << 20, 0o1666); a = libc.shmat(s, None, 0); ctypes.memset(a, 1, 200 << 20)"
    )
    assert box.exec(f'python3 -c "{script}"').exit_code == 0
    box.reset()
    for _ in range(2):
        result = box.exec("python3 -c 'b = bytearray(180 << 20); print(len(b) >> 20)'")
        assert result.stdout == "180\n" and not result.oom_killed, result


def test_exec_with_closed_output_returns_timed_out_in_time(box):
    start = time.monotonic()
    result = box.exec("exec >&- 2>&-; sleep 30", timeout_s=1.5)
    assert result.timed_out and time.monotonic() - start < 5
    assert box.exec("echo alive").stdout == "alive\n"  # the same sandbox, not a replacement


def test_a_command_that_closes_its_output_and_exits_is_not_a_timeout(box):
    result = box.exec("exec >&- 2>&-; sleep 0.2; exit 4", timeout_s=5)
    assert (result.exit_code, result.timed_out) == (4, False)


@pytest.mark.docker
def test_containers_have_no_log_and_run_under_agoras_seccomp_profile():
    client = docker_backend.docker_client()
    if not docker_backend.seccomp_supported(client):
        pytest.skip("this engine cannot enforce seccomp (the backend warns)")
    with agora.sandbox.create(backend="docker", pool_size=0, **LIMITS) as box:
        container = box._container.id
        host = client.api.inspect_container(container)["HostConfig"]
        assert host["LogConfig"]["Type"] == "none"
        assert any(opt.startswith("seccomp={") for opt in host["SecurityOpt"])
        assert "Seccomp:\t2" in box.exec("grep Seccomp: /proc/self/status").stdout
        box.exec("python3 -c 'print(\"x\" * 60000)'")
        logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
        assert "x" * 100 not in logs.stdout  # the reply went over the attach stream only
        # denied calls fail with EPERM; clone with a namespace flag is refused too
        probe = (
            "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); "
            "print(libc.unshare(0x10000000), ctypes.get_errno(), libc.syscall(101, 0, 0, 0, 0), ctypes.get_errno())"
        )
        assert box.exec(f'python3 -c "{probe}"').stdout.split() == ["-1", "1", "-1", "1"]
        assert box.exec("python3 -c 'import os; print(os.fork() and 0 or 0)'").exit_code == 0


@pytest.mark.docker
def test_the_seccomp_warning_names_the_risk():
    assert "seccomp" in docker_backend.SECCOMP_WARNING and "kernel" in docker_backend.SECCOMP_WARNING


@pytest.mark.docker
def test_engine_loss_is_an_infra_error_not_a_raw_exception(tmp_path):
    """The engine goes away while a pool exists: the env's step reports infra_error (no raw requests error)."""
    import docker

    import agora

    limits = {**LIMITS, "memory_mb": 201}  # a pool of its own
    pool = docker_backend.get_pool(docker_backend.DEFAULT_IMAGE, Limits(**limits), 0)
    # a real SDK client whose engine is gone
    pool._client = docker.DockerClient(base_url=f"unix://{tmp_path}/gone.sock", version="1.41")
    with pytest.raises(EngineUnavailable):
        docker_backend.Container(pool._client, pool.image, pool.limits)
    env = agora.make("tools/PythonCalc-v0", pool_size=0, **limits)
    try:
        env.reset(seed=0)
        call = json.dumps({"name": "python", "arguments": {"code": "print(1)"}})
        obs, reward, terminated, truncated, info = env.step(call)
        assert "infra_error" in info and "No Docker engine" in info["infra_error"] and reward == 0.0
    finally:
        env.close()
        docker_backend.close_pools()


@pytest.mark.docker
def test_close_pools_leaves_no_container_started_during_it():
    memory_mb = 203  # a pool of its own: its containers are the ones with this memory limit
    client = docker_backend.docker_client()
    pool = docker_backend.get_pool(docker_backend.DEFAULT_IMAGE, Limits(**{**LIMITS, "memory_mb": memory_mb}), 3)
    warming = threading.Thread(target=pool.warm)
    warming.start()
    time.sleep(0.3)  # a container is being started now
    docker_backend.close_pools()
    warming.join(60)
    time.sleep(1.0)  # auto_remove finishes
    mine = [
        c
        for c in client.containers.list(all=True, filters={"label": docker_backend.LABEL})
        if c.attrs["HostConfig"]["Memory"] == memory_mb << 20
    ]
    assert pool._ready == [] and mine == []
