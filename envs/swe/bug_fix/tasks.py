"""Task records: one validated injected bug in one project, and the shipped task sets.

A record (one JSON line of ``tasks.jsonl``) holds ``instance_id, package, version, patch`` (the bug, as a
unified diff from the pristine sdist), ``FAIL_TO_PASS`` (tests that pass on the pristine code and fail
with the bug), ``PASS_TO_PASS`` (every other test that passes on the pristine code: they pass with the
bug too), ``problem_statement`` (written from templates: the failing behaviour, one failing test's name
and an excerpt of its error, never the fix) and ``image``, plus what grading needs (the sdist's hash,
the layout, the suite's time limit) and ``difficulty`` (`Difficulty`: counts derived from the bug and
its failing tests). Shipped sets lie in ``data/<project>/tasks.jsonl``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agora.envs.swe.bug_fix.patches import apply_patch, changed_paths
from agora.envs.swe.bug_fix.projects import Layout, Project, ProjectError, SourceTree, fetch, load_tree, pins

DATA_DIR = Path(__file__).with_name("data")
IMAGE = "agora-sandbox-swe:latest"
MAX_LINE_CHARS = 4_000_000


class Difficulty(BaseModel):
    """How hard a task looks from its bug and its tests (for curricula and filtering; nothing is graded on it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_to_pass: int = Field(ge=1, description="number of FAIL_TO_PASS tests")
    files: int = Field(ge=1, description="files the bug touches")
    lines: int = Field(ge=1, description="lines the bug removes or adds")
    mutations: list[str] = Field(min_length=1, description="mutation kinds, one per injected change")


def difficulty_of(patch: str, fail_to_pass: list[str], mutations: list[str]) -> Difficulty:
    """The `Difficulty` of a bug given as a unified diff."""
    changed = sum(1 for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++ ", "--- ")))
    return Difficulty(
        fail_to_pass=len(fail_to_pass), files=len(changed_paths(patch)), lines=max(1, changed), mutations=mutations
    )


class Task(BaseModel):
    """One bug-fixing task (see the module docs for the fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_id: str = Field(max_length=200)
    package: str
    version: str
    patch: str = Field(description="the injected bug as a unified diff (pristine -> buggy); never shown")
    FAIL_TO_PASS: list[str] = Field(min_length=1)
    PASS_TO_PASS: list[str]
    problem_statement: str
    image: str = IMAGE
    mutation: str = Field(description="the kind of mutation that made the bug")
    sdist_sha256: str
    pythonpath: str = ""
    packages: list[str] = Field(min_length=1, description="top-level packages/modules: what an agent may edit")
    test_timeout_s: float = Field(120.0, gt=0)
    difficulty: Difficulty | None = None
    parts: list[str] = Field(default_factory=list, description="a combined task's single-bug tasks (their ids)")

    @property
    def project(self) -> Project:
        """The project at the task's version (with the recorded hash)."""
        return Project(self.package, self.version, self.sdist_sha256)

    @property
    def layout(self) -> Layout:
        """Where the importable code lies."""
        return Layout(self.pythonpath, tuple(self.packages))


def pristine_tree(task: Task) -> SourceTree:
    """The project's pristine tree (from the cached sdist; run ``scripts/setup.d/25-swe.sh`` if missing)."""
    project = task.project
    if not project.sdist.is_file():
        raise ProjectError(
            f"The sdist of {project.key} is not in agora's cache ({project.sdist}). Fetch it "
            f"with: agora swe fetch {project.name}=={project.version} (or scripts/setup.d/25-swe.sh)."
        )
    return load_tree(fetch(project))


_BUGGY: dict[tuple[str, str, str], SourceTree] = {}


def buggy_tree(task: Task) -> SourceTree:
    """The working copy the agent gets: the pristine tree with the bug applied (a copy; cached)."""
    key = (task.instance_id, task.sdist_sha256, task.patch)
    if key not in _BUGGY:
        if len(_BUGGY) > 256:
            _BUGGY.clear()
        _BUGGY[key] = apply_patch(pristine_tree(task), task.patch)
    return dict(_BUGGY[key])


def load_tasks(source: str | Path = "all") -> list[Task]:
    """Tasks from a ``tasks.jsonl`` file, a folder holding one, a shipped project's name, or ``"all"``."""
    if str(source) == "all":
        return [t for name in shipped_names() for t in _read(DATA_DIR / name / "tasks.jsonl")]
    if str(source) in shipped_names():
        return _read(DATA_DIR / str(source) / "tasks.jsonl")
    path = Path(source)
    if path.is_dir():
        path = path / "tasks.jsonl"
    if not path.is_file():
        raise ProjectError(
            f"No tasks at {source!r}: give a tasks.jsonl, a folder holding one, 'all', or a "
            f"shipped project ({', '.join(shipped_names())})."
        )
    return _read(path)


def shipped_names() -> list[str]:
    """Projects with a shipped task set."""
    files = {n: DATA_DIR / n / "tasks.jsonl" for n, p in pins().items() if p.get("shipped")}
    return sorted(n for n, f in files.items() if f.is_file() and f.stat().st_size > 0)


def _read(path: Path) -> list[Task]:
    tasks = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if len(line) > MAX_LINE_CHARS:
                raise ProjectError(f"{path}:{number}: a task line is longer than {MAX_LINE_CHARS} characters.")
            if line.strip():
                tasks.append(Task.model_validate_json(line))
    if not tasks:
        raise ProjectError(f"{path} holds no tasks.")
    return tasks


_TEMPLATES = (
    "Since the last change, {behaviour} no longer works in {package} {version}. The test `{test}` fails{more}:"
    "\n\n    {error}\n\nFind the bug in the library code and fix it. The tests are right: do not change them.",
    "{package} {version} misbehaves: {behaviour} is broken. Running the test suite, `{test}` fails{more} with:"
    "\n\n    {error}\n\nFix the library so that the whole test suite passes again, without editing tests.",
    "A regression in {package} {version}: {behaviour} gives wrong results. `{test}` fails{more}; its error is:"
    "\n\n    {error}\n\nLocate the faulty code in the package and repair it; leave the tests as they are.",
)


def behaviour(test_id: str) -> str:
    """A test id as the behaviour it checks: ``tests/test_x.py::TestA::test_b_c[1]`` -> ``a: b c``."""
    name = test_id.split("::")[-1].split("[")[0]
    name = re.sub(r"^test_?", "", name).replace("_", " ").strip()
    parts = test_id.split("::")
    owner = re.sub(r"^Test", "", parts[-2]) if len(parts) > 2 else Path(parts[0]).stem.removeprefix("test_")
    return f"{owner}: {name}" if name else owner


def problem_statement(package: str, version: str, failing: list[str], messages: dict[str, str], seed: str) -> str:
    """A templated statement: the failing behaviour, one failing test and an excerpt of its error."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    with_message = [t for t in failing if messages.get(t)] or failing
    test = with_message[digest % len(with_message)]
    error = (messages.get(test) or "the test fails").strip().replace("\n", " ")[:300]
    more = f" (and {len(failing) - 1} other test{'s' if len(failing) > 2 else ''})" if len(failing) > 1 else ""
    template = _TEMPLATES[(digest >> 8) % len(_TEMPLATES)]
    return template.format(
        package=package, version=version, behaviour=behaviour(test), test=test, more=more, error=error
    )
