"""The test run's guard, run inside the sandbox (stdlib and pytest only; never imported on the host).

Two processes (see docs/guides/swe.md, "Threat model"):

``python3 -I -S harness.py supervise CONFIG`` (the supervisor) never imports project code. It reads its
config, deletes it, makes itself non-dumpable (so a process of the same user cannot open its file
descriptors or memory through /proc), and starts the test process with two pipes: one carrying a fresh
random key, one carrying result records. It reads the records (each MAC'd with the key and numbered),
streams the test process's output (bounded, into a file, scanning it for summary lines), waits for the exit
status and writes one verdict, MAC'd with the host's key, to the file the config names.

``python3 -P harness.py child ARGS`` (the test process) reads the key, installs an audit hook (PEP 578)
before importing pytest or any project code, snapshots the test framework's functions and classes, and runs
``pytest.main`` with a plugin that sends every collected id, every report and every tampering sign over the
record pipe. It ends with ``os._exit`` (no at-exit code of the project runs).

Generation alone (never grading) sets ``coverage`` in the config: the test process then installs a profile
function before importing pytest, notes the first line of every function of ``/work`` that was called,
and sends those over the record pipe at the end, so that mutants of functions no test calls are never run.
"""

import hashlib
import hmac
import json
import os
import sys

MAX_RECORD = 1 << 20
MAX_RECORDS_BYTES = 64 << 20
OUTPUT_KEEP = 1 << 20
MAX_COVERED = 200_000
COVERAGE_CHUNK = 2000
WATCHED = frozenset(
    {
        "sys.settrace",
        "sys.setprofile",
        "sys._getframe",
        "sys._current_frames",
        "sys.addaudithook",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "object.__getattr__",
        "object.__setattr__",
        "object.__delattr__",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.system",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.killpg",
        "subprocess.Popen",
        "pty.spawn",
        "open",
        "os.listdir",
        "os.scandir",
    }
)
"""Audit events that are tampering when raised from a line the agent wrote (``ctypes.*`` too)."""
FRAMEWORK = (
    "_pytest.runner",
    "_pytest.reports",
    "_pytest.python",
    "_pytest.main",
    "_pytest.nodes",
    "_pytest.unittest",
    "_pytest.fixtures",
    "_pytest.outcomes",
    "_pytest.skipping",
    "_pytest.terminal",
    "_pytest.capture",
    "_pytest.config",
    "_pytest.assertion.rewrite",
    "_pytest.assertion.util",
    "pluggy._callers",
    "pluggy._hooks",
    "pluggy._manager",
    "pluggy._result",
    "unittest.case",
    "unittest.result",
    "unittest.suite",
    "unittest.loader",
    "builtins",
    "os",
    "posix",
    "importlib._bootstrap",
    "importlib._bootstrap_external",
)
"""Modules whose functions and classes the project must leave alone during the run."""
MUTABLE = frozenset({"_pytest.assertion.util._reprcompare", "_pytest.assertion.util._assertion_pass"})
HOT = (
    "_pytest.runner",
    "_pytest.reports",
    "_pytest.python",
    "_pytest.unittest",
    "_pytest.outcomes",
    "_pytest.skipping",
    "pluggy._callers",
    "pluggy._hooks",
    "pluggy._result",
    "unittest.case",
    "unittest.result",
)
"""Checked after every test; the other modules in turn, one `ROTATION`-th of them after each test."""
ROTATION = 4
CONFIGURED = frozenset(
    {"_getini_unknown_type", "invocation_dir", "rootdir", "inifile", "startdir", "fspath", "makedir", "tmpdir"}
)
"""Class attributes that pytest's own ``legacypath`` plugin sets at ``pytest_configure``."""


def _mac(key, seq, payload):
    return hmac.new(key, b"%d:" % seq + payload, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------- supervisor


def _undumpable():
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def supervise(config_path):
    """Runs the test process and prints the MAC'd verdict (see the module docs)."""
    with open(config_path) as f:
        config = json.load(f)
    os.unlink(config_path)
    _undumpable()
    import subprocess
    import threading

    host_key = bytes.fromhex(config.pop("host_key"))
    key = os.urandom(32)
    rec_r, rec_w = os.pipe()
    key_r, key_w = os.pipe()
    os.write(key_w, key.hex().encode())
    os.close(key_w)
    spec = {
        "fd": rec_w,
        "key_fd": key_r,
        "agent_lines": config["agent_lines"],
        "protected": config["protected"],
        "coverage": bool(config.get("coverage")),
    }
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/work",
        "COLUMNS": "400",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": config["pythonpath"],
        "AGORA_GUARD": json.dumps(spec),
    }
    cmd = [sys.executable, "-P", os.path.abspath(__file__), "child", *config["args"]]
    proc = subprocess.Popen(
        cmd, cwd="/work", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=(rec_w, key_r)
    )
    os.close(rec_w)
    os.close(key_r)
    records, output = {"list": [], "bad": 0}, {"claims": {}, "bytes": 0}
    readers = [
        threading.Thread(target=_read_records, args=(rec_r, key, records)),
        threading.Thread(target=_read_output, args=(proc.stdout, config["output"], output)),
    ]
    for t in readers:
        t.start()
    exit_code = proc.wait()
    for t in readers:
        t.join()
    verdict = {"exit_code": exit_code, "records": records["list"], "bad_records": records["bad"], **output}
    payload = json.dumps(verdict, sort_keys=True).encode()
    with open(config["verdict"], "w") as f:
        f.write(json.dumps({"verdict": verdict, "mac": _mac(host_key, 0, payload)}) + "\n")


def _read_records(fd, key, records):
    total, seq = 0, 0
    with os.fdopen(fd, "rb") as f:
        for line in f:
            total += len(line)
            if total > MAX_RECORDS_BYTES or len(line) > MAX_RECORD:
                records["bad"] += 1
                break
            mac, _, payload = line.rstrip(b"\n").partition(b" ")
            if not hmac.compare_digest(mac, _mac(key, seq, payload).encode()):
                records["bad"] += 1
                continue
            seq += 1
            records["list"].append(json.loads(payload))
        for _ in f:  # drain, so that the writer never blocks
            pass


def _read_output(stream, path, output):
    """Keeps the first and last `OUTPUT_KEEP` bytes in `path`; notes every ``PASSED <id>`` line claimed."""
    tail, claims = [], output["claims"]
    with open(path, "wb") as out:
        for line in stream:
            output["bytes"] += len(line)
            if output["bytes"] <= OUTPUT_KEEP:
                out.write(line)
            else:
                tail.append(line)
                while len(tail) > 2000:
                    tail.pop(0)
            if line.startswith(b"PASSED ") and len(claims) < 100_000:
                test = line[7:].split(b" - ")[0].strip().decode("utf-8", "replace")
                claims[test] = claims.get(test, 0) + 1
        out.write(b"".join(tail)[-OUTPUT_KEEP:])


# --------------------------------------------------------------------------------------------- test process


def child(args):
    """The test process (see the module docs)."""
    spec = json.loads(os.environ.pop("AGORA_GUARD"))
    key = bytes.fromhex(os.read(spec["key_fd"], 64).decode())
    os.close(spec["key_fd"])
    fd = spec["fd"]
    agent_lines = {path: frozenset(lines) for path, lines in spec["agent_lines"].items()}
    protected = tuple(spec["protected"])
    stdlib = os.path.dirname(os.__file__) + "/"
    state = {"seq": 0, "busy": False, "tampered": 0}

    def send(record):
        payload = json.dumps(record).encode()
        line = _mac(key, state["seq"], payload).encode() + b" " + payload + b"\n"
        state["seq"] += 1
        try:
            while line:
                line = line[os.write(fd, line) :]
        except OSError:
            pass

    def tamper(what):
        if state["tampered"] < 20:
            state["tampered"] += 1
            send({"kind": "tamper", "what": what[:300]})

    def agent_frame():
        frame = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.startswith(stdlib) or name.startswith("<")):
                lines = agent_lines.get(name)
                return f"{name}:{frame.f_lineno}" if lines and frame.f_lineno in lines else None
            frame = frame.f_back
        return None

    def audit(event, event_args):
        if state["busy"] or (event not in WATCHED and not event.startswith("ctypes")):
            return
        state["busy"] = True
        try:
            where = agent_frame()
            if event in ("open", "os.listdir", "os.scandir"):
                path = str(event_args[0]) if event_args and event_args[0] is not None else ""
                if path.startswith(protected) or (where is not None and path.startswith(("/proc", "/dev/fd"))):
                    tamper(f"{event} {path[:100]}" + (f" from {where}" if where else ""))
                return
            if where is not None:
                tamper(f"{event} from {where}")
        finally:
            state["busy"] = False

    sys.addaudithook(audit)
    covered = _profile_calls() if spec.get("coverage") else None
    import importlib

    import pytest

    for name in FRAMEWORK:
        try:
            importlib.import_module(name)
        except ImportError:
            pass

    def trusted(obj):
        module = getattr(obj, "__module__", None) or ""
        where = getattr(sys.modules.get(module), "__file__", None) or ""
        return module.startswith("_pytest") or (where.startswith("/work/") and where not in agent_lines)

    snapshot = _fingerprint(FRAMEWORK, trusted)
    rest = [name for name in FRAMEWORK if name not in HOT]
    chunks = [tuple(rest[i::ROTATION]) for i in range(ROTATION)]
    state["tests"] = 0

    def check(when, modules=FRAMEWORK, allowed=frozenset()):
        now = _fingerprint(modules, trusted)
        changed = sorted(
            ".".join(k)
            for k, v in now.items()
            if k in snapshot
            and v != snapshot[k]
            and ".".join(k[:2]) not in MUTABLE
            and k[2].removesuffix(".__code__") not in allowed
        )
        if changed:
            tamper(f"the test framework changed ({when}): {', '.join(changed[:6])}")
        snapshot.update(now)

    def check_after_test(test):
        state["tests"] += 1
        check(f"after {test}", HOT + chunks[state["tests"] % ROTATION])

    class Plugin:
        @pytest.hookimpl(trylast=True)
        def pytest_configure(self, config):
            check("while pytest was configured", allowed=CONFIGURED)

        def pytest_collection_finish(self, session):
            send({"kind": "collected", "ids": [item.nodeid for item in session.items]})
            check("after collection")

        def pytest_collectreport(self, report):
            if report.failed:
                send({"kind": "collect_error", "id": report.nodeid})

        def pytest_runtest_logreport(self, report):
            record = {"kind": "test", "id": report.nodeid, "when": report.when, "outcome": report.outcome}
            if hasattr(report, "wasxfail"):
                record["xfail"] = True
            send(record)
            if report.when == "teardown":
                check_after_test(report.nodeid)

        def pytest_sessionfinish(self, session, exitstatus):
            check("at the end")
            send({"kind": "finish", "exitstatus": int(exitstatus)})

    code = int(pytest.main(list(args), plugins=[Plugin()]))
    if covered is not None:
        functions = sorted(covered)
        for start in range(0, len(functions), COVERAGE_CHUNK):
            send({"kind": "coverage", "functions": functions[start : start + COVERAGE_CHUNK]})
    send({"kind": "exit", "code": code})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _profile_calls():
    """Installs a profile function (every thread) that notes (file, first line) of each /work function called."""
    import threading

    covered = set()

    def profile(frame, event, arg):
        if event == "call":
            code = frame.f_code
            if code.co_filename.startswith("/work/") and len(covered) < MAX_COVERED:
                covered.add((code.co_filename, code.co_firstlineno))

    sys.setprofile(profile)
    threading.setprofile(profile)
    return covered


def _fingerprint(modules, trusted=lambda obj: False):
    """Identity of every function, class attribute and code object of `modules`, keyed by (module, name, member).

    Import finders and path hooks count unless `trusted` (pytest's own, or the pristine project's: toolz's
    ``tlz`` adds a finder when it is imported).
    """
    found = {
        ("sys", "gettrace", ""): id(sys.gettrace()),
        ("sys", "getprofile", ""): id(sys.getprofile()),
        ("sys", "meta_path", ""): hash(tuple(id(f) for f in sys.meta_path if not trusted(type(f)))),
        ("sys", "path_hooks", ""): hash(tuple(id(h) for h in sys.path_hooks if not trusted(h))),
    }
    module_type = type(sys)
    for name in modules:
        module = sys.modules.get(name)
        if module is None:
            continue
        found[(name, "", "")] = id(module)
        for attr, value in list(vars(module).items()):
            if not (callable(value) or isinstance(value, module_type)):
                continue
            found[(name, attr, "")] = id(value)
            code = getattr(value, "__code__", None)
            if code is not None:
                found[(name, attr, "__code__")] = id(code)
            if isinstance(value, type) and value.__module__ == name:
                for key, member in list(vars(value).items()):
                    found[(name, attr, key)] = id(member)
                    inner = getattr(getattr(member, "__func__", member), "__code__", None)
                    if inner is not None:
                        found[(name, attr, key + ".__code__")] = id(inner)
    return found


if __name__ == "__main__":
    if sys.argv[1] == "supervise":
        supervise(sys.argv[2])
    else:
        child(sys.argv[2:])
