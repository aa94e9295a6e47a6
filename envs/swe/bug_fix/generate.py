"""Task generation: mutate a project's code, keep the mutants its own suite catches (``agora swe generate``).

1. Fetch the sdist (pinned by version and sha256), read it, find its packages; build the image if missing.
2. Run the whole suite on the pristine code in a sandbox, under grading's guard, noting which library
   functions it calls. Nothing passing (a missing test dependency, a suite that needs the network) is a
   `ProjectError` that says why, with the report's tail; so is a pristine suite that trips the guard (a
   correct fix would score 0). The run is kept in the output folder and reused by reruns.
3. Walk the seeded, kind-interleaved mutations (each file parsed once). A mutation inside a function the
   pristine suite never called cannot fail a test: it is dropped without a run. The suite runs on every
   other mutant (``workers`` sandboxes in parallel, a few mutants ahead, results taken in mutation order
   so a seed always gives the same tasks). A mutant becomes a task when at least one pristine-passing
   test fails (FAIL_TO_PASS) and every other pristine-passing test still passes (PASS_TO_PASS); anything
   else (no failure, a timeout, tests gone missing) is dropped. Progress is saved after each mutant, so
   an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import ast
import collections
import functools
import hashlib
import itertools
import json
import queue
import resource
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path

from agora.envs.swe.bug_fix.mutations import Mutation, candidates, ordered, unified_diff
from agora.envs.swe.bug_fix.projects import (
    PYTEST_DEPENDENCIES,
    Layout,
    Project,
    ProjectError,
    SourceTree,
    detect_layout,
    fetch,
    importable_names,
    load_tree,
    sha256_of,
)
from agora.envs.swe.bug_fix.tasks import IMAGE, Task, difficulty_of, problem_statement
from agora.envs.swe.bug_fix.testrun import SUITE_LIMITS, SuiteResult, put_tree, run_suite, sandbox_cpu_s

Log = Callable[[str], None]
STATS = "stats.json"
"""Written into a project's output folder by `generate`: what it cost (see `GenerationStats`)."""


@dataclass
class GenerationStats:
    """What one `generate` call did and cost: for ``benchmarks/swe.py --generation`` and resumed runs."""

    project: str = ""
    candidates: int = 0
    """Mutations of the project's library code (before the cut to the attempts)."""
    tried: int = 0
    """Mutations of the seeded order decided (kept, dropped, or skipped as uncovered), resumed ones included."""
    skipped_uncovered: int = 0
    """Mutations in functions the pristine suite never calls: dropped without a run."""
    suite_runs: int = 0
    """Suite runs in sandboxes, the pristine one included."""
    kept: int = 0
    wall_s: float = 0.0
    sandbox_cpu_s: float = 0.0
    """CPU the sandboxes' containers used (their cgroups' counters), summed over every run."""
    host_cpu_s: float = 0.0
    """CPU of this process (mutating, diffing, packing trees, talking to the sandboxes)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_run(self, cpu_s: float) -> None:
        """Counts one suite run and the sandbox CPU it used."""
        with self._lock:
            self.suite_runs += 1
            self.sandbox_cpu_s += cpu_s

    @property
    def cpu_s(self) -> float:
        """Sandbox plus host CPU seconds."""
        return self.sandbox_cpu_s + self.host_cpu_s

    def as_dict(self) -> dict:
        """The figures, plus validated tasks per CPU-hour and per wall-clock hour."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        out["tasks_per_cpu_hour"] = round(3600 * self.kept / self.cpu_s, 1) if self.cpu_s else None
        out["tasks_per_wall_hour"] = round(3600 * self.kept / self.wall_s, 1) if self.wall_s else None
        return out


def _host_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ensure_image(log: Log = print) -> str:
    """Builds the swe image (offline when debootstrap is there) unless it is up to date; returns its name."""
    from agora.sandbox.docker_backend import docker_client
    from agora.sandbox.images import REGISTRY_BASE, build_image, offline_base

    client = docker_client()
    base = offline_base(client, log) if shutil.which("debootstrap") else REGISTRY_BASE
    build_image(client, "swe", base, log)
    return IMAGE


def run_tree(
    box,
    tree: SourceTree,
    layout: Layout,
    timeout_s: float,
    stats: GenerationStats | None = None,
    coverage: bool = False,
) -> SuiteResult:
    """Puts `tree` in a clean sandbox and runs the suite (counted in `stats`, with its sandbox CPU)."""
    box.reset()
    before = sandbox_cpu_s(box) if stats is not None else None
    put_tree(box, tree)
    result = run_suite(box, layout.pythonpath, timeout_s, coverage=coverage)
    if stats is not None:
        after = sandbox_cpu_s(box)
        stats.add_run(after - before if before is not None and after is not None and after >= before else 0.0)
    return result


def check_project(project: Project, tree: SourceTree) -> Layout:
    """The project's layout, or a `ProjectError` when it cannot make tasks here."""
    layout = detect_layout(tree)
    shadowed = sorted(set(importable_names(layout)) & PYTEST_DEPENDENCIES)
    if shadowed:
        raise ProjectError(
            f"{project.key}: {', '.join(shadowed)} is a dependency of the image's pytest, so a "
            "pristine copy of it would sit in the image; pick another project."
        )
    if not any(p.endswith(".py") and ("test" in p.split("/")[-1]) for p in tree):
        raise ProjectError(f"{project.key}: the sdist ships no test files (test_*.py): nothing to grade with.")
    return layout


def baseline(
    box,
    project: Project,
    tree: SourceTree,
    layout: Layout,
    timeout_s: float = 300.0,
    stats: GenerationStats | None = None,
) -> SuiteResult:
    """The suite on the pristine code; `ProjectError` when it cannot run offline with pytest alone."""
    result = run_tree(box, tree, layout, timeout_s, stats, coverage=True)
    if result.timed_out:
        raise ProjectError(f"{project.key}: the test suite ran past {timeout_s:g} s in the sandbox.")
    if result.tampering:
        raise ProjectError(
            f"{project.key}: the pristine suite trips grading's guard, so even a correct fix would score 0: "
            + "; ".join(result.tampering[:3])
        )
    if not result.passed():
        raise ProjectError(
            f"{project.key}: no test passes in the sandbox (no network, Python 3 and pytest only), so the suite "
            "cannot run offline here: it may need other test packages or the network. Its report ends:\n"
            + result.tail[-1500:]
        )
    return result


def make_task(
    project: Project,
    layout: Layout,
    tree: SourceTree,
    mutation: Mutation,
    pristine: SuiteResult,
    mutant: SuiteResult,
    timeout_s: float,
) -> Task | None:
    """The task a mutant makes, or None when it is not a valid one (see the module docs)."""
    if mutant.timed_out or mutant.tampering:
        return None
    passing = {t for t in pristine.passed() if len(t) <= MAX_TEST_ID}
    fail_to_pass = sorted(passing & mutant.failed())
    pass_to_pass = sorted(passing & mutant.passed())
    if not fail_to_pass or len(fail_to_pass) + len(pass_to_pass) != len(passing):
        return None
    before = tree[mutation.path].decode()
    patch = unified_diff(mutation.path, before, mutation.apply(before))
    digest = hashlib.sha256(patch.encode()).hexdigest()[:8]
    instance_id = f"{project.key}.{digest}"  # no hint of the mutation
    statement = problem_statement(project.name, project.version, fail_to_pass, mutant.messages, instance_id)
    if shows_the_fix(patch, statement):
        return None
    return Task(
        instance_id=instance_id,
        package=project.name,
        version=project.version,
        patch=patch,
        FAIL_TO_PASS=fail_to_pass,
        PASS_TO_PASS=pass_to_pass,
        problem_statement=statement,
        image=IMAGE,
        mutation=mutation.kind,
        sdist_sha256=project.sha256 or sha256_of(project.sdist),
        pythonpath=layout.pythonpath,
        packages=list(layout.packages),
        test_timeout_s=timeout_s,
        difficulty=difficulty_of(patch, fail_to_pass, [mutation.kind]),
    )


MAX_TEST_ID = 1000
"""Tests with longer ids (a parametrized 200,000-character string in semver's suite) are left out of a task's
FAIL_TO_PASS and PASS_TO_PASS: the grade does not require them, and a task record stays a few kB."""


def shows_the_fix(patch: str, statement: str) -> bool:
    """Whether the problem statement quotes a line the bug removed (longer than 12 characters): the fix itself."""
    removed = (line[1:].strip() for line in patch.splitlines() if line.startswith("-") and not line.startswith("---"))
    return any(len(line) > 12 and line in statement for line in removed)


@dataclass(frozen=True)
class Budget:
    """What one `generate` run may try: tasks to keep, the mutation order's seed, parallel sandboxes, tries."""

    max_tasks: int = 50
    """Stop after this many validated tasks."""
    seed: int = 0
    """Seed of the order in which mutations are tried (the same seed gives the same tasks)."""
    workers: int = 2
    """Sandboxes running suites in parallel."""
    max_attempts: int | None = None
    """Mutations to try at most (default: ``max(20, 8 * max_tasks)``)."""
    skip_uncovered: bool = True
    """Skip mutants in functions the pristine suite never calls (they cannot fail a test)."""

    def attempts(self) -> int:
        """How many mutations of the seeded order this run may decide."""
        return self.max_attempts or max(20, 8 * self.max_tasks)


def generate(
    project: Project,
    out_dir: Path,
    budget: Budget = Budget(),
    log: Log = print,
    progress: Callable[[int, int, int], None] | None = None,
    stats: GenerationStats | None = None,
) -> list[Task]:
    """Generates up to ``budget.max_tasks`` validated tasks into ``out_dir/tasks.jsonl`` (see the module docs).

    Resumable: ``out_dir/progress.json`` says how many mutations of the seeded order are decided, and a
    rerun with the same project, seed and limits goes on from there, keeping the tasks already written.
    `progress(tried, kept, to_try)` is called as mutants are decided. What it did and cost goes into
    `stats` (when given) and ``out_dir/stats.json``.
    """
    import agora.sandbox

    stats = stats if stats is not None else GenerationStats()
    stats.project = project.key
    started, host_before = time.monotonic(), _host_cpu_s()
    tree = load_tree(fetch(project))
    layout = check_project(project, tree)
    ensure_image(log)
    out_dir.mkdir(parents=True, exist_ok=True)
    boxes = [agora.sandbox.create(image=IMAGE, pool_size=budget.workers, **SUITE_LIMITS) for _ in range(budget.workers)]
    try:
        pristine = _pristine(boxes[0], project, tree, layout, out_dir, stats)
        passing = f"{len(pristine.passed())} tests pass on the pristine code ({pristine.duration_s:.1f} s)"
        log(f"{project.key}: {passing}; layout {layout.packages}")
        everything = candidates(tree, layout)
        stats.candidates = len(everything)
        tasks = _Progress(out_dir, {"project": project.key, "seed": budget.seed}, budget.max_tasks, stats, progress)
        tasks.mutations = ordered(everything, budget.seed)[: budget.attempts()]
        if tasks.full():  # a finished run: only the decided mutations count
            tasks.mutations = tasks.mutations[: tasks.done]
        covered = pristine.covered if budget.skip_uncovered else set()
        runs = [m for m in tasks.mutations[tasks.done :] if not covered or is_covered(m, tree, covered)]
        stats.skipped_uncovered = len(tasks.mutations) - tasks.done - len(runs)
        timeout_s = float(max(60.0, round(10 * pristine.duration_s)))

        def validate(m: Mutation, box) -> Task | None:
            mutant = run_tree(box, mutant_tree(tree, m), layout, max(20.0, 4 * pristine.duration_s), stats)
            return make_task(project, layout, tree, m, pristine, mutant, timeout_s)

        index = {id(m): i for i, m in enumerate(tasks.mutations)}
        with tasks:
            _validate_all(boxes, runs, validate, lambda m, task: tasks.keep(task, index[id(m)] + 1), tasks.full)
    finally:
        for box in boxes:
            box.close()
    stats.kept = len(tasks.kept)
    stats.wall_s = time.monotonic() - started
    stats.host_cpu_s = _host_cpu_s() - host_before
    (out_dir / STATS).write_text(json.dumps(stats.as_dict()) + "\n")
    log(f"{project.key}: {len(tasks.kept)} tasks -> {out_dir / 'tasks.jsonl'}")
    return tasks.kept


class _Progress:
    """The tasks kept so far and the count of decided mutations, written to ``out_dir`` as each is decided."""

    def __init__(self, out_dir: Path, state: dict, max_tasks: int, stats: GenerationStats, report) -> None:
        self.out_dir, self.state, self.max_tasks, self.stats, self.report = out_dir, state, max_tasks, stats, report
        done, kept = _resume(out_dir, state)
        self.kept: list[Task] = kept[:max_tasks]
        self.done = done
        self.mutations: list[Mutation] = []
        """The mutations of the seeded order this run decides."""
        self._out = None

    def full(self) -> bool:
        """Whether `max_tasks` tasks are kept."""
        return len(self.kept) >= self.max_tasks

    def __enter__(self) -> _Progress:
        self._out = (self.out_dir / "tasks.jsonl").open("a", encoding="utf-8")  # each task as it is kept
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None and not self.full():
                self.keep(None, len(self.mutations))  # the uncovered mutants at the end are decided too
        finally:
            self._out.close()

    def keep(self, task: Task | None, decided: int) -> None:
        """Records that the first `decided` mutations are decided, and keeps `task` (a validated one, or None)."""
        if task is not None and not self.full() and task.instance_id not in {t.instance_id for t in self.kept}:
            self.kept.append(task)
            self._out.write(task.model_dump_json() + "\n")
            self._out.flush()
        self.stats.tried = decided
        (self.out_dir / PROGRESS).write_text(json.dumps({**self.state, "decided": decided}))
        if self.report is not None:
            self.report(decided, len(self.kept), len(self.mutations))


def mutant_tree(tree: SourceTree, mutation: Mutation) -> SourceTree:
    """The tree with the mutation applied (a new dict; the other files shared)."""
    return {**tree, mutation.path: mutation.apply(tree[mutation.path].decode()).encode()}


PROGRESS = "progress.json"
"""In a project's output folder: how many mutations of the seeded order `generate` has decided."""
PRISTINE = "pristine.json"
"""In a project's output folder: the pristine run (outcomes, duration, functions called), for reruns."""


def _resume(out_dir: Path, state: dict) -> tuple[int, list[Task]]:
    """(mutations already decided, tasks kept) from an earlier run with the same `state`; else (0, [])."""
    from agora.envs.swe.bug_fix.tasks import load_tasks

    marker, tasks_file = out_dir / PROGRESS, out_dir / "tasks.jsonl"
    try:
        saved = json.loads(marker.read_text())
    except (OSError, ValueError):
        saved = {}
    if not saved and tasks_file.is_file() and tasks_file.stat().st_size:
        raise ProjectError(
            f"{tasks_file} holds tasks but {marker.name} is missing, so this run cannot tell where they came "
            "from: move them away or give another --out."
        )
    if any(saved.get(k) != v for k, v in state.items()) or not isinstance(saved.get("decided"), int):
        tasks_file.write_text("")
        return 0, []
    tasks = load_tasks(tasks_file) if tasks_file.is_file() and tasks_file.stat().st_size else []
    unique = list({t.instance_id: t for t in tasks}.values())
    tasks_file.write_text("".join(t.model_dump_json() + "\n" for t in unique))
    return saved["decided"], unique


def _pristine(box, project: Project, tree: SourceTree, layout: Layout, out_dir: Path, stats) -> SuiteResult:
    """The pristine run with coverage, read back from ``out_dir/pristine.json`` when made for this sdist."""
    from agora.envs.swe.bug_fix.testrun import PYTEST_ARGS

    key = {"sdist_sha256": project.sha256 or sha256_of(project.sdist), "args": list(PYTEST_ARGS)}
    path = out_dir / PRISTINE
    try:
        saved = json.loads(path.read_text())
        if saved.get("key") == key:
            return SuiteResult(
                exit_code=0,
                timed_out=False,
                outcomes=saved["outcomes"],
                duration_s=saved["duration_s"],
                covered={(p, line) for p, line in saved["covered"]},
                finished=True,
            )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    result = baseline(box, project, tree, layout, stats=stats)
    record = {
        "key": key,
        "outcomes": result.outcomes,
        "duration_s": result.duration_s,
        "covered": sorted(result.covered),
    }
    path.write_text(json.dumps(record))
    return result


def is_covered(mutation: Mutation, tree: SourceTree, covered: set[tuple[str, int]]) -> bool:
    """False when the mutation lies in a function the pristine suite never called (so no test can catch it).

    Module- and class-level code (decorators included) runs at import: always True there. A changed
    default counts as inside its function (it matters only when the function is called).
    """
    first_line = _enclosing_function(mutation.path, tree[mutation.path], mutation.line, mutation.kind)
    return first_line is None or (mutation.path, first_line) in covered


@functools.lru_cache(maxsize=4096)
def _function_spans(path: str, source: bytes) -> tuple[tuple[int, int, int, int], ...]:
    """(first line of the code object, first line of the signature, first body line, last line) of each def."""
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return ()
    spans = []
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans.append((first, node.lineno, node.body[0].lineno, node.end_lineno or node.lineno))
    return tuple(spans)


def _enclosing_function(path: str, source: bytes, line: int, kind: str) -> int | None:
    inside = [
        (code_line, body)
        for code_line, signature, body, last in _function_spans(path, source)
        if body <= line <= last or (kind == "change_default" and signature <= line < body)
    ]
    return max(inside, key=lambda item: item[1])[0] if inside else None


def _validate_all(
    boxes: list,
    mutations: list[Mutation],
    check: Callable[[Mutation, object], Task | None],
    decided: Callable[[Mutation, Task | None], None],
    enough: Callable[[], bool],
) -> None:
    """Runs `check(mutation, box)` in the boxes in parallel and hands each result to `decided` in order.

    A few mutants run ahead (no batch waits for its slowest run); results are taken in mutation order, so a
    seed always gives the same tasks. Stops once `enough()`.
    """
    free: queue.SimpleQueue = queue.SimpleQueue()
    for box in boxes:
        free.put(box)

    def run(mutation: Mutation) -> Task | None:
        box = free.get()
        try:
            return check(mutation, box)
        finally:
            free.put(box)

    window = 2 * len(boxes)
    with ThreadPoolExecutor(max_workers=len(boxes)) as pool:
        pending: collections.deque = collections.deque()
        upcoming = iter(mutations)
        for mutation in itertools.islice(upcoming, window):
            pending.append((mutation, pool.submit(run, mutation)))
        while pending:
            mutation, future = pending.popleft()
            decided(mutation, future.result())
            if enough():
                for _, rest in pending:
                    rest.cancel()
                return
            for mutation in itertools.islice(upcoming, 1):
                pending.append((mutation, pool.submit(run, mutation)))


DONE = "done.json"
"""Written into a project's folder when `generate_many` finished it: a rerun skips that project."""


def read_requirements(path: Path) -> list[str]:
    """``PKG==VER`` lines of a file (blank lines and ``#`` comments skipped), at most 10,000."""
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()[:10_000]]
    return [line for line in lines if line]


def generate_many(
    projects: list[Project],
    out_dir: Path,
    log: Log = print,
    progress: Callable[[str, float], None] | None = None,
    **kwargs,
) -> dict[str, int | str]:
    """`generate` for each project in turn into ``out_dir/<name>/``; resumable; returns name -> tasks or error.

    A project whose folder holds `DONE` for the same version, with limits (``max_tasks``, ``max_attempts``)
    at least those asked for now (or none recorded), is skipped (its count read back); so is one rejected
    before. An
    interrupted run picks up at the project it was in, and `generate` resumes that one at the mutation it
    was deciding; a rerun with higher limits goes on from where the last one stopped. A project that cannot
    make tasks (`ProjectError`) is recorded with its reason and the run goes on. `progress(label, done)`
    gets the projects done so far, fractions included.
    """
    limits = {"max_tasks": kwargs.get("max_tasks", 50), "max_attempts": kwargs.get("max_attempts") or 0}
    results: dict[str, int | str] = {}
    for number, project in enumerate(projects):
        folder = out_dir / project.name
        marker = folder / DONE
        try:
            done = json.loads(marker.read_text()) if marker.is_file() else {}
        except ValueError:
            done = {}
        if done.get("requirement") == project.key and (
            isinstance(done.get("result"), str) or all(done.get(k, v) >= v for k, v in limits.items())
        ):
            results[project.name] = done["result"]
            continue

        def step(tried: int, kept: int, to_try: int, number: int = number, key: str = project.key) -> None:
            if progress is not None:
                progress(f"{key}: {kept} kept, {tried}/{to_try} tried", number + tried / max(1, to_try))

        try:
            result: int | str = len(generate(project, folder, Budget(**kwargs), log=log, progress=step))
        except ProjectError as e:
            result = f"rejected: {e}"
            log(f"{project.key}: {result}")
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"requirement": project.key, "result": result, **limits}))
        results[project.name] = result
        if progress is not None:
            progress(f"{project.key}: done", number + 1)
    return results
