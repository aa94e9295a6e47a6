"""Running a project's pytest suite in a sandbox, and reading per-test outcomes from its report.

A tree goes into the sandbox as one gzip tarball (one write, one ``tar x``, and the tarball is deleted
at once). The suite runs as ``python3 -P -m pytest -p no:cacheprovider -o addopts= -rA`` with the
project's folder on ``PYTHONPATH`` (``-P``: the working directory is not put on ``sys.path``, so a
stray ``pytest.py`` cannot stand in for pytest); the report goes to a file that the host reads and
parses (``PASSED``/``FAILED``/``ERROR`` lines of the short summary), bounded in size.
"""

from __future__ import annotations

import io
import re
import tarfile
from dataclasses import dataclass, field

from agora.envs.swe.bug_fix.projects import SourceTree
from agora.errors import SandboxCrashed, SandboxError
from agora.sandbox import Sandbox

REPORT = "/tmp/agora-pytest-report.txt"
REPORT_MAX_BYTES = 8 * 1024 * 1024
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


def pytest_command(pythonpath: str, args: tuple[str, ...] = ()) -> str:
    """The shell command that runs the suite in /work and writes the report."""
    path = f"/work/{pythonpath}".rstrip("/")
    extra = " ".join(args)
    return (
        f"COLUMNS=400 PYTHONPATH={path} python3 -P -m pytest -p no:cacheprovider -o addopts= -rA --tb=line -q "
        f"-W ignore::DeprecationWarning {extra} > {REPORT} 2>&1"
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


def run_suite(box: Sandbox, pythonpath: str, timeout_s: float, args: tuple[str, ...] = ()) -> SuiteResult:
    """Runs the suite in the sandbox's /work and parses the report."""
    result = box.exec(pytest_command(pythonpath, args), timeout_s=timeout_s)
    try:
        text = box.read_file(REPORT, max_bytes=REPORT_MAX_BYTES).decode("utf-8", "replace")
    except SandboxCrashed:
        raise
    except SandboxError:  # no report: the run was killed before pytest started writing
        text = ""
    outcomes, messages = parse_report(text)
    return SuiteResult(result.exit_code, result.timed_out, outcomes, messages, result.duration_s, text[-2000:])


SUITE_LIMITS: dict = dict(memory_mb=1024, cpus=1.0, pids=256, disk_mb=256, timeout_s=120.0)
"""Sandbox limits for working copies and suite runs (generation and the agent's container)."""
