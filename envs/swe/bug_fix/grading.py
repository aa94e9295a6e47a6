"""Grading a submission: the agent's diff on a pristine copy, tests restored, in a fresh container.

1. The agent's working copy comes out of its container as one tarball, read on the host without ever
   being extracted (regular files only, bounded count and size, no links, no absolute or ``..`` paths).
2. Its diff against the working copy it was given is kept only for library code (`Layout.is_source`:
   ``.py`` files inside the project's packages, not tests). Every other path (tests, ``conftest.py``,
   pytest and tox configuration, new top-level modules) is restored to the original, or dropped when new.
3. That diff, applied to the pristine buggy copy, goes into a **fresh** container (a pool of its own
   whose containers are removed after one use, never recycled), and the whole suite runs with the task's
   time limit, under the guard (`agora.envs.swe.bug_fix.testrun`): outcomes come from a channel the
   test process cannot forge without tampering that the guard detects, never from its output.
4. Tampering (`Grade.tampering`: the static audit of the agent's lines, the audit hook's findings, the
   framework's changed functions, forged records, outcomes that disagree with the exit status or the
   output) scores 0 whatever the tests say. Otherwise reward 1 when every FAIL_TO_PASS and every
   PASS_TO_PASS test passes, else 0. The threat model is in docs/guides/swe.md.

A sandbox failure raises `SandboxError` (the env reports it as ``info["infra_error"]``); so does a run
that gives no verdict although the agent changed nothing, and a timeout that the unchanged working copy,
run again in another fresh container, hits too (the harness is too slow, not the agent's code: a patch
that hangs the suite scores 0).
"""

from __future__ import annotations

import io
import tarfile
import time
from dataclasses import dataclass, field

from agora.envs.swe.bug_fix.guard import agent_lines, static_audit
from agora.envs.swe.bug_fix.patches import apply_patch, tree_diff
from agora.envs.swe.bug_fix.projects import MAX_FILE_BYTES, MAX_FILES, Layout, SourceTree, clean_path
from agora.envs.swe.bug_fix.tasks import Task
from agora.envs.swe.bug_fix.testrun import SUITE_LIMITS, SuiteResult, put_tree, run_suite
from agora.errors import SandboxError
from agora.sandbox import Sandbox

GRADE_LIMITS: dict = {**SUITE_LIMITS, "timeout_s": 121.0}
"""Suite limits with another default timeout: grading containers get a pool of their own."""
SUBMISSION = "/tmp/agora-submission.tgz"
SUBMISSION_MAX_BYTES = 16 * 1024 * 1024
SKIP_PARTS = frozenset({"__pycache__", ".pytest_cache", ".git"})


class SubmissionError(ValueError):
    """The agent's working copy cannot be read (too large, not a tree); the agent's fault: reward 0."""


@dataclass
class Grade:
    """What grading found (see the module docs)."""

    reward: float
    fail_to_pass: float
    """Fraction of FAIL_TO_PASS tests passing (for partial-credit experiments)."""
    pass_to_pass: float
    agent_patch: str
    timed_out: bool
    duration_s: float
    tampering: list[str] = field(default_factory=list)
    """What the guard found; non-empty means reward 0 (see the module docs)."""


def collect(box: Sandbox) -> SourceTree:
    """The agent's working copy, read out of its container as a tarball (never extracted)."""
    result = box.exec(
        f"tar -czf {SUBMISSION} -C /work --exclude=__pycache__ --exclude=.pytest_cache . 2>&1", timeout_s=60
    )
    if not result.succeeded:
        raise SubmissionError(f"could not pack the working copy: {result.stdout[-300:]}")
    data = box.read_file(SUBMISSION, max_bytes=SUBMISSION_MAX_BYTES + 1)
    box.exec(f"rm -f {SUBMISSION}")
    if len(data) > SUBMISSION_MAX_BYTES:
        raise SubmissionError(f"the working copy is over {SUBMISSION_MAX_BYTES >> 20} MiB packed")
    return read_tarball(data)


def read_tarball(data: bytes) -> SourceTree:
    """Regular files of a tarball, bounded; links, devices and odd paths are ignored."""
    tree: SourceTree = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            for member in tf:
                path = clean_path(member.name)
                if path is None or not member.isfile() or SKIP_PARTS & set(path.split("/")):
                    continue
                if len(tree) >= MAX_FILES or member.size > MAX_FILE_BYTES:
                    raise SubmissionError(
                        f"the working copy has over {MAX_FILES} files or a file over {MAX_FILE_BYTES >> 20} MiB"
                    )
                tree[path] = tf.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as e:
        raise SubmissionError(f"the working copy could not be read: {e}") from e
    return tree


def merge(buggy: SourceTree, agent: SourceTree, layout: Layout) -> tuple[SourceTree, str]:
    """(the tree to grade, the agent's diff): library code from the agent, everything else as given."""
    editable = {p for p in set(buggy) | set(agent) if layout.is_source(p)}
    before = {p: buggy[p] for p in editable if p in buggy}
    after = {p: agent[p] for p in editable if p in agent}
    graded = {p: v for p, v in buggy.items() if p not in editable} | after
    return graded, tree_diff(before, after)


def _run(task: Task, tree: SourceTree, pool_size: int, lines: dict[str, list[int]] | None = None) -> SuiteResult:
    """The whole suite on `tree` in a fresh container, removed afterwards."""
    import agora.sandbox

    box = agora.sandbox.create(image=task.image, pool_size=pool_size, **GRADE_LIMITS)
    try:
        put_tree(box, tree)
        return run_suite(box, task.pythonpath, task.test_timeout_s, agent_lines=lines)
    finally:
        box.discard()


def grade(task: Task, buggy: SourceTree, agent: SourceTree, pool_size: int = 1) -> Grade:
    """Grades the agent's tree (see the module docs); raises `SandboxError` when the harness fails."""
    start = time.monotonic()
    graded, patch = merge(buggy, agent, task.layout)
    pristine = apply_patch(buggy, task.patch, reverse=True)
    audit = static_audit(buggy, pristine, graded, task.layout) if patch else []
    result = _run(task, graded, pool_size, agent_lines(buggy, pristine, graded, task.layout))
    if not patch and (result.timed_out or not result.outcomes):
        raise SandboxError(
            f"grading gave no verdict on the unchanged working copy (timed out: "
            f"{result.timed_out}); report tail: {result.tail[-300:]}",
            command="pytest",
        )
    if result.timed_out and _run(task, buggy, pool_size).timed_out:
        raise SandboxError(
            f"grading ran past {task.test_timeout_s:g} s, and so did the unchanged working copy: the "
            "harness is too slow here (an overloaded machine?), not the agent's code",
            command="pytest",
        )
    tampering = list(dict.fromkeys(audit + result.tampering))
    reward, f2p, p2p = score(task, result.passed(), result.timed_out, tampering)
    return Grade(reward, f2p, p2p, patch, result.timed_out, time.monotonic() - start, tampering)


def score(task: Task, passed: set[str], timed_out: bool, tampering: list[str]) -> tuple[float, float, float]:
    """(reward, FAIL_TO_PASS pass rate, PASS_TO_PASS pass rate) of a run whose passing tests are `passed`.

    Reward 1 only when every FAIL_TO_PASS and PASS_TO_PASS test passed, nothing timed out and nothing was
    flagged; an empty PASS_TO_PASS (a bug that fails every test) counts as all passing.
    """
    f2p = sum(t in passed for t in task.FAIL_TO_PASS) / len(task.FAIL_TO_PASS)
    p2p = sum(t in passed for t in task.PASS_TO_PASS) / len(task.PASS_TO_PASS) if task.PASS_TO_PASS else 1.0
    reward = 1.0 if f2p == 1.0 and p2p == 1.0 and not timed_out and not tampering else 0.0
    return reward, f2p, p2p
