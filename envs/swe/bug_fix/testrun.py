"""Running a project's pytest suite in a sandbox, and reading per-test outcomes from its guard's verdict.

A tree goes into the sandbox as one gzip tarball (one write, one ``tar x``, and the tarball is deleted
at once). The suite runs under the guard (`agora.envs.swe.bug_fix.harness`, copied with a fresh host key
into a folder of random name): a supervisor that never imports project code starts ``pytest -p
no:cacheprovider -o addopts= --continue-on-collection-errors -rA`` (a test module that fails to import
only takes its own tests out) with the project's folder on ``PYTHONPATH`` (``-P``: the working
directory is not put on ``sys.path``, so a stray ``pytest.py`` cannot stand in for pytest), receives
every outcome over a MAC'd channel, and prints one MAC'd verdict. Outcomes come from that verdict, never
from the test process's output; the output (bounded) is kept only for the failure messages of problem
statements. `agora.envs.swe.bug_fix.guard` judges the verdict: any inconsistency is tampering.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import tarfile
from dataclasses import dataclass, field

from agora.envs.swe.bug_fix.guard import HARNESS, judge, read_verdict
from agora.envs.swe.bug_fix.projects import SourceTree
from agora.errors import SandboxCrashed, SandboxError
from agora.sandbox import Sandbox

REPORT_MAX_BYTES = 4 * 1024 * 1024
VERDICT_MAX_BYTES = 32 * 1024 * 1024
PYTEST_ARGS = (
    "-p",
    "no:cacheprovider",
    "-o",
    "addopts=",
    "--continue-on-collection-errors",
    "-rA",
    "--tb=line",
    "-q",
    "-W",
    "ignore::DeprecationWarning",
)
_LINE = re.compile(r"^(PASSED|FAILED|ERROR|XPASS|XFAIL) (\S.*?)(?: - (.*))?$")


def tarball(tree: SourceTree) -> bytes:
    """A gzip tarball of the tree (files owned by the sandbox user, mode 644)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tf:
        for path in sorted(tree):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.uid, info.gid = len(tree[path]), 0o644, 1000, 1000
            tf.addfile(info, io.BytesIO(tree[path]))
    return buf.getvalue()


def put_tree(box: Sandbox, tree: SourceTree | bytes, dest: str = "/work") -> None:
    """Unpacks the tree (or its tarball) into `dest`, leaving no tarball behind."""
    data = tree if isinstance(tree, bytes) else tarball(tree)
    box.write_file("/tmp/agora-tree.tgz", data)
    result = box.exec(
        f"tar -xzf /tmp/agora-tree.tgz -C {dest} --no-same-owner; rc=$?; rm -f /tmp/agora-tree.tgz; exit $rc",
        timeout_s=60,
    )
    if not result.succeeded:
        raise SandboxError(
            f"unpacking the working copy failed: {result.stderr[-500:]}",
            command="tar -x",
            exit_code=result.exit_code,
            stderr=result.stderr,
        )


@dataclass
class SuiteResult:
    """Outcomes of one suite run: test id -> PASSED/FAILED/ERROR/XPASS/XFAIL, and their messages."""

    exit_code: int
    timed_out: bool
    outcomes: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0
    tail: str = ""
    tampering: list[str] = field(default_factory=list)
    """What the guard found (see `agora.envs.swe.bug_fix.guard`); empty on an honest run."""
    finished: bool = False
    """Whether pytest reached the end of its session."""
    covered: set[tuple[str, int]] = field(default_factory=set)
    """(path in the tree, first line) of every library function the suite called (``coverage=True`` only)."""

    def passed(self) -> set[str]:
        """Tests that passed."""
        return {t for t, o in self.outcomes.items() if o == "PASSED"}

    def failed(self) -> set[str]:
        """Tests that failed or errored."""
        return {t for t, o in self.outcomes.items() if o in ("FAILED", "ERROR")}


def parse_report(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(outcomes, messages) from pytest's ``-rA`` short summary; an id seen twice keeps its worst outcome."""
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        kind, test, message = match.groups()
        if outcomes.get(test) in ("FAILED", "ERROR"):
            continue  # a test that failed and then errored in teardown stays failed
        outcomes[test] = kind
        if message:
            messages[test] = message[:500]
    return outcomes, messages


def _read(box: Sandbox, path: str, max_bytes: int) -> str:
    """A file of the sandbox as text, or "" when it is not there (the run was killed before writing it)."""
    try:
        return box.read_file(path, max_bytes=max_bytes).decode("utf-8", "replace")
    except SandboxCrashed:
        raise
    except SandboxError:
        return ""


def run_suite(
    box: Sandbox,
    pythonpath: str,
    timeout_s: float,
    args: tuple[str, ...] = (),
    agent_lines: dict[str, list[int]] | None = None,
    coverage: bool = False,
) -> SuiteResult:
    """Runs the suite in the sandbox's /work under the guard; `agent_lines` are the agent's (for its audit).

    With `coverage` (generation only) the result also says which library functions the suite called.
    """
    run_dir = f"/tmp/agora-run-{secrets.token_hex(8)}"
    host_key = secrets.token_bytes(32)
    config = {
        "host_key": host_key.hex(),
        "pythonpath": f"/work/{pythonpath}".rstrip("/"),
        "args": [*PYTEST_ARGS, *args],
        "agent_lines": agent_lines or {},
        "protected": [run_dir],
        "output": f"{run_dir}/output.txt",
        "verdict": f"{run_dir}/verdict.json",
        "coverage": coverage,
    }
    box.exec(f"mkdir -m 700 {run_dir}", timeout_s=30)
    put_tree(box, {"harness.py": HARNESS.read_bytes(), "config.json": json.dumps(config).encode()}, dest=run_dir)
    command = f"cd /work && python3 -I -S {run_dir}/harness.py supervise {run_dir}/config.json"
    result = box.exec(command, timeout_s=timeout_s)
    verdict, tampering = read_verdict(_read(box, config["verdict"], VERDICT_MAX_BYTES), host_key)
    text = _read(box, config["output"], REPORT_MAX_BYTES)
    outcomes, finished = {}, False
    if verdict is not None:
        outcomes, found, finished = judge(verdict)
        tampering += found
    messages = {t: m for t, m in parse_report(text)[1].items() if outcomes.get(t) in ("FAILED", "ERROR")}
    covered = _covered(verdict) if coverage and verdict is not None else set()
    return SuiteResult(
        result.exit_code if verdict is None else int(verdict.get("exit_code", -1)),
        result.timed_out,
        outcomes,
        messages,
        result.duration_s,
        text[-2000:],
        tampering,
        finished,
        covered,
    )


def _covered(verdict: dict) -> set[tuple[str, int]]:
    """The coverage records of a verdict as (path below /work, first line) pairs."""
    found = set()
    for record in verdict.get("records", []):
        if record.get("kind") != "coverage":
            continue
        for item in record.get("functions", [])[:10_000]:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], int):
                found.add((item[0].removeprefix("/work/"), item[1]))
    return found


SUITE_LIMITS: dict = dict(memory_mb=1024, cpus=1.0, pids=256, disk_mb=256, timeout_s=120.0)
"""Sandbox limits for working copies and suite runs (generation and the agent's container)."""


def sandbox_cpu_s(box: Sandbox) -> float | None:
    """CPU seconds the sandbox's container has used so far (its cgroup's counter), or None when unreadable.

    For measuring generation cost (`benchmarks/swe.py --generation`); nothing depends on it.
    """
    container = getattr(box, "_container", None)
    cid = getattr(container, "id", None)
    if not cid:
        return None
    for path, scale in (
        (f"/sys/fs/cgroup/cpuacct/docker/{cid}/cpuacct.usage", 1e-9),
        (f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/cpu.stat", 1e-6),
    ):
        try:
            text = open(path, encoding="ascii").read()
        except OSError:
            continue
        if path.endswith("cpu.stat"):
            text = next((line.split()[1] for line in text.splitlines() if line.startswith("usage_usec")), "")
        try:
            return int(text.strip()) * scale
        except ValueError:
            return None
    return None
