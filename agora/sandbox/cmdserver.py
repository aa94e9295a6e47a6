"""The command server that lives inside a sandbox and runs its commands (standard library only).

It is the sandbox's first process (PID 1 in a container, or under bubblewrap). It reads one JSON
request per line on stdin and writes one JSON reply per line on stdout, so a warm command costs a
pipe round trip instead of a `docker exec` (about 100 ms). Requests:

- ``{"op": "exec", "cmd": str, "timeout_s": float, "max_output_bytes": int}``: runs ``/bin/sh -c cmd``
  in the work dir; after it exits, or at the timeout, EVERY other process in the sandbox is killed
  (so background and double-forked processes die too); output beyond the limit is dropped. With
  ``"keep_processes": true`` the processes it leaves running stay (a desktop's X server and applications
  live across commands) and only its own process group dies at the timeout; reset still kills them all.
- ``{"op": "write_file", "path": str, "data_b64": str}`` and ``{"op": "read_file", "path": str, ...}``.
- ``{"op": "reset"}``: kills every process, empties the writable dirs and removes every System V IPC
  object (shared memory, message queues, semaphores) and POSIX message queue; replies ``clean`` only
  when no process, file or IPC object is left, so the host replaces a sandbox it cannot prove clean.
- ``{"op": "ping"}``.

Replies are ``{"ok": true, ...}`` or ``{"ok": false, "error": str}``. The host validates them.
"""

import base64
import ctypes
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import time

WORK_DIR = os.environ.get("AGORA_WORK_DIR", "/work")
SCRATCH_DIRS = (WORK_DIR, "/tmp", "/dev/shm")
MQUEUE_DIR = "/dev/mqueue"
SYSV_IPC = ("shm", "msg", "sem")  # /proc/sysvipc/<kind>; libc's <kind>ctl(id, IPC_RMID) removes one
IPC_RMID = 0
OOM_FILES = ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")
RESET_SETTLE_S = 2.0  # how long a reset waits for killed processes to be reaped (their last threads to exit)


def _scan():
    """(live, zombie) pids of every process but this one and PID 1."""
    me, live, zombies = os.getpid(), [], []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in (1, me):
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            (zombies if state == b"Z" else live).append(int(name))
    return live, zombies


def _reap(pids, protect):
    for pid in pids:
        if pid != protect:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def kill_all(protect=None):
    """Stops then kills every process but this one (and PID 1) until none is left; reaps the dead.

    `protect` is the command's own process, left for `Popen.wait` to reap (its exit code matters).
    """
    for _ in range(500):
        live, zombies = _scan()
        _reap(zombies, protect)
        if not live:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in live:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.001)


def _oom_kills():
    for path in OOM_FILES:
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return 0


def _rlimits():
    """The local backend has no cgroup: it limits each process's address space instead."""
    memory_mb = os.environ.get("AGORA_RLIMIT_AS_MB")
    if memory_mb:
        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _prefer_oom_kill(pid):
    try:
        with open(f"/proc/{pid}/oom_score_adj", "w") as f:
            f.write("1000")  # the out-of-memory killer takes the command (inherited by its children)
    except OSError:
        pass


def _reap_zombies():
    """Reaps the dead processes left to this server (orphans of kept background processes)."""
    _reap(_scan()[1], None)


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _drain(proc, deadline, limit, keep=False):
    """Reads both pipes until EOF; returns (stdout, stderr, timed_out, truncated).

    With `keep`, the processes the command leaves behind survive it; at the timeout only its process group dies.
    """
    stop = (lambda: _kill_group(proc.pid)) if keep else (lambda: kill_all(proc.pid))
    sel = selectors.DefaultSelector()
    bufs = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    for fd in bufs:
        sel.register(fd, selectors.EVENT_READ)
    timed_out = reaped = truncated = False
    while sel.get_map() or not reaped:  # the command may close its pipes and go on running
        if not timed_out and time.monotonic() >= deadline:
            timed_out = True
            stop()
        if not sel.get_map():
            time.sleep(0.01)
        for key, _ in sel.select(timeout=0.05) if sel.get_map() else ():
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(key.fd)
                continue
            buf = bufs[key.fd]
            room = limit - len(buf)
            truncated |= len(chunk) > room
            buf += chunk[: max(room, 0)]
        if not reaped and proc.poll() is not None:
            reaped = True
            if not keep:
                kill_all(proc.pid)  # nothing outlives its command: background children die here
    sel.close()
    return bytes(bufs[proc.stdout.fileno()]), bytes(bufs[proc.stderr.fileno()]), timed_out, truncated


def op_exec(req):
    """Runs a shell command with a wall-clock limit and bounded output."""
    start = time.monotonic()
    ooms = _oom_kills()
    proc = subprocess.Popen(
        ["/bin/sh", "-c", req["cmd"]],
        cwd=WORK_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    _prefer_oom_kill(proc.pid)
    keep = bool(req.get("keep_processes", False))
    out, err, timed_out, truncated = _drain(proc, start + req["timeout_s"], req["max_output_bytes"], keep)
    code = proc.wait()
    if keep:
        _reap_zombies()
    else:
        kill_all()  # the pipes may close before the exit is seen: background processes die here then
    return {
        "exit_code": 128 - code if code < 0 else code,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace"),
        "timed_out": timed_out,
        "truncated": truncated,
        "oom_killed": _oom_kills() > ooms,
        "duration_s": time.monotonic() - start,
    }


def _resolve(path):
    return os.path.normpath(os.path.join(WORK_DIR, path))


def op_write_file(req):
    """Writes bytes to a file (relative paths are under the work dir)."""
    path = _resolve(req["path"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(base64.b64decode(req["data_b64"]))
    return {}


def op_read_file(req):
    """Reads up to max_bytes of a file."""
    with open(_resolve(req["path"]), "rb") as f:
        data = f.read(req["max_bytes"] + 1)
    return {
        "data_b64": base64.b64encode(data[: req["max_bytes"]]).decode(),
        "truncated": len(data) > req["max_bytes"],
    }


def _empty(directory):
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            for root, dirs, _ in os.walk(path):
                for d in dirs:
                    os.chmod(os.path.join(root, d), 0o700)
            os.chmod(path, 0o700)
            shutil.rmtree(path)
        else:
            os.unlink(path)


def _ipc_ids(kind):
    """Ids of the System V IPC objects of `kind` ("shm", "msg", "sem") visible here."""
    try:
        with open(f"/proc/sysvipc/{kind}") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return []
    return [int(line.split()[1]) for line in lines if line.split()]


def remove_ipc():
    """Removes every System V IPC object and POSIX message queue this sandbox can see."""
    libc = ctypes.CDLL(None, use_errno=True)
    for kind in SYSV_IPC:
        remove = getattr(libc, f"{kind}ctl")
        for ipc_id in _ipc_ids(kind):
            remove(ipc_id, 0, IPC_RMID, None) if kind == "sem" else remove(ipc_id, IPC_RMID, None)
    if os.path.isdir(MQUEUE_DIR) and os.access(MQUEUE_DIR, os.W_OK):
        for name in os.listdir(MQUEUE_DIR):
            try:
                os.unlink(os.path.join(MQUEUE_DIR, name))
            except OSError:
                pass


def leftovers():
    """What survives a reset: processes, files in the writable dirs, IPC objects (empty when clean)."""
    found = [f"process {pid}" for pid in _scan()[0]]
    for directory in SCRATCH_DIRS:
        if os.path.isdir(directory) and os.access(directory, os.W_OK):
            found += [f"file {directory}/{name}" for name in os.listdir(directory)]
    found += [f"{kind} {ipc_id}" for kind in SYSV_IPC for ipc_id in _ipc_ids(kind)]
    if os.path.isdir(MQUEUE_DIR):
        found += [f"mqueue {name}" for name in os.listdir(MQUEUE_DIR)]
    return found


def _await_zombies(timeout_s=RESET_SETTLE_S):
    """Reaps until no zombie is left, or `timeout_s`.

    A killed multi-threaded process (a GTK application) stays a zombie until its last thread has exited, and
    keeps its System V shared memory attached until then: the reset would find that segment and fail.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        zombies = _scan()[1]
        if not zombies:
            return
        _reap(zombies, None)
        time.sleep(0.005)


def op_reset(req):
    """Kills every process, empties the writable dirs and removes IPC objects, for a new episode."""
    kill_all()
    _await_zombies()
    for directory in SCRATCH_DIRS:
        if os.path.isdir(directory) and os.access(directory, os.W_OK):
            os.chmod(directory, 0o700) if directory == WORK_DIR else None
            _empty(directory)
    remove_ipc()
    left = leftovers()
    return {"clean": not left, "leftovers": left[:20]}


OPS = {
    "exec": op_exec,
    "write_file": op_write_file,
    "read_file": op_read_file,
    "reset": op_reset,
    "ping": lambda req: {"pid": os.getpid()},
}


def _undumpable():
    """Makes /proc/<this pid>/fd and ptrace off-limits to the commands (same uid).

    So they cannot write into the reply channel. Commands are dumpable again after their execve.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def main():
    """Serves requests until stdin closes."""
    _undumpable()
    _rlimits()  # inherited by every command (no preexec_fn: it would make each spawn slower)
    channel = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but replies may reach the channel
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for line in sys.stdin.buffer:
        request_id = None
        try:
            req = json.loads(line)
            request_id = req.pop("id")
            reply = {"id": request_id, "ok": True, **OPS[req.pop("op")](req)}
        except Exception as e:  # the reply says what failed; the server goes on
            reply = {"id": request_id, "ok": False, "error": f"{type(e).__name__}: {e}"}
        channel.write(json.dumps(reply).encode() + b"\n")
        channel.flush()


if __name__ == "__main__":
    main()
