"""Task generation: mutate a project's code, keep the mutants its own suite catches (``agora swe generate``).

1. Fetch the sdist (pinned by version and sha256), read it, find its packages; build the image if missing.
2. Run the whole suite on the pristine code in a sandbox, under grading's guard. Nothing passing (a missing
   test dependency, a suite that needs the network) is a `ProjectError` that says why, with the report's
   tail; so is a pristine suite that trips the guard (a correct fix would score 0).
3. Walk the seeded, kind-interleaved mutations; run the suite on each mutant (``workers`` sandboxes in
   parallel, results taken in mutation order so a seed always gives the same tasks). A mutant becomes
   a task when at least one pristine-passing test fails (FAIL_TO_PASS) and every other pristine-passing
   test still passes (PASS_TO_PASS); anything else (no failure, a timeout, tests gone missing) is dropped.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from agora.envs.swe.bug_fix.testrun import SUITE_LIMITS, SuiteResult, put_tree, run_suite

Log = Callable[[str], None]


def ensure_image(log: Log = print) -> str:
    """Builds the swe image (offline when debootstrap is there) unless it is up to date; returns its name."""
    from agora.sandbox.docker_backend import docker_client
    from agora.sandbox.images import REGISTRY_BASE, build_image, offline_base

    client = docker_client()
    base = offline_base(client, log) if shutil.which("debootstrap") else REGISTRY_BASE
    build_image(client, "swe", base, log)
    return IMAGE


def run_tree(box, tree: SourceTree, layout: Layout, timeout_s: float) -> SuiteResult:
    """Puts `tree` in a clean sandbox and runs the suite."""
    box.reset()
    put_tree(box, tree)
    return run_suite(box, layout.pythonpath, timeout_s)


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


def baseline(box, project: Project, tree: SourceTree, layout: Layout, timeout_s: float = 300.0) -> SuiteResult:
    """The suite on the pristine code; `ProjectError` when it cannot run offline with pytest alone."""
    result = run_tree(box, tree, layout, timeout_s)
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
    passing = pristine.passed()
    fail_to_pass = sorted(passing & mutant.failed())
    pass_to_pass = sorted(passing & mutant.passed())
    if not fail_to_pass or len(fail_to_pass) + len(pass_to_pass) != len(passing):
        return None
    before = tree[mutation.path].decode()
    patch = unified_diff(mutation.path, before, mutation.apply(before))
    digest = hashlib.sha256(patch.encode()).hexdigest()[:8]
    instance_id = f"{project.key}.{digest}"  # no hint of the mutation
    return Task(
        instance_id=instance_id,
        package=project.name,
        version=project.version,
        patch=patch,
        FAIL_TO_PASS=fail_to_pass,
        PASS_TO_PASS=pass_to_pass,
        problem_statement=problem_statement(project.name, project.version, fail_to_pass, mutant.messages, instance_id),
        image=IMAGE,
        mutation=mutation.kind,
        sdist_sha256=project.sha256 or sha256_of(project.sdist),
        pythonpath=layout.pythonpath,
        packages=list(layout.packages),
        test_timeout_s=timeout_s,
        difficulty=difficulty_of(patch, fail_to_pass, [mutation.kind]),
    )


def generate(
    project: Project,
    out_dir: Path,
    max_tasks: int = 50,
    seed: int = 0,
    workers: int = 2,
    max_attempts: int | None = None,
    log: Log = print,
    progress: Callable[[int, int, int], None] | None = None,
) -> list[Task]:
    """Generates up to `max_tasks` validated tasks into ``out_dir/tasks.jsonl`` (see the module docs).

    `progress(tried, kept, to_try)` is called after every batch of mutants.
    """
    import agora.sandbox

    tree = load_tree(fetch(project))
    layout = check_project(project, tree)
    ensure_image(log)
    boxes = [agora.sandbox.create(image=IMAGE, pool_size=workers, **SUITE_LIMITS) for _ in range(workers)]
    try:
        pristine = baseline(boxes[0], project, tree, layout)
        timeout_s = float(max(60.0, round(10 * pristine.duration_s)))
        log(
            f"{project.key}: {len(pristine.passed())} tests pass on the pristine code "
            f"({pristine.duration_s:.1f} s); layout {layout.packages}"
        )
        mutations = ordered(candidates(tree, layout), seed)[: max_attempts or max(20, 8 * max_tasks)]
        out_dir.mkdir(parents=True, exist_ok=True)
        with (out_dir / "tasks.jsonl").open("w", encoding="utf-8") as out:  # each task as it is kept

            def keep(task: Task) -> None:
                out.write(task.model_dump_json() + "\n")
                out.flush()

            tasks = _validate_all(
                boxes,
                project,
                layout,
                tree,
                pristine,
                mutations,
                max_tasks,
                timeout_s,
                progress,
                mutant_timeout_s=max(20.0, 4 * pristine.duration_s),
                keep=keep,
            )
    finally:
        for box in boxes:
            box.close()
    log(f"{project.key}: {len(tasks)} tasks -> {out_dir / 'tasks.jsonl'}")
    return tasks


def _validate_all(
    boxes: list,
    project: Project,
    layout: Layout,
    tree: SourceTree,
    pristine: SuiteResult,
    mutations: list[Mutation],
    max_tasks: int,
    timeout_s: float,
    progress: Callable[[int, int, int], None] | None,
    mutant_timeout_s: float,
    keep: Callable[[Task], None],
) -> list[Task]:
    tasks: list[Task] = []
    free = list(boxes)

    def check(mutation: Mutation) -> Task | None:
        box = free.pop()
        try:
            mutant_tree = {**tree, mutation.path: mutation.apply(tree[mutation.path].decode()).encode()}
            mutant = run_tree(box, mutant_tree, layout, mutant_timeout_s)  # a hanging mutant is dropped early
            return make_task(project, layout, tree, mutation, pristine, mutant, timeout_s)
        finally:
            free.append(box)

    with ThreadPoolExecutor(max_workers=len(boxes)) as pool:
        for start in range(0, len(mutations), len(boxes)):
            for task in pool.map(check, mutations[start : start + len(boxes)]):
                if (
                    task is not None
                    and len(tasks) < max_tasks
                    and task.instance_id not in {t.instance_id for t in tasks}
                ):
                    tasks.append(task)
                    keep(task)
            if progress is not None:
                progress(min(start + len(boxes), len(mutations)), len(tasks), len(mutations))
            if len(tasks) >= max_tasks:
                break
    return tasks


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

    A project whose folder holds `DONE` is skipped (its count read back), so an interrupted run picks up at
    the project it was in (that one starts again: the same seed gives the same tasks). A project that cannot
    make tasks (`ProjectError`) is recorded with its reason and the run goes on. `progress(label, done)`
    gets the projects done so far, fractions included.
    """
    import json

    results: dict[str, int | str] = {}
    for number, project in enumerate(projects):
        folder = out_dir / project.name
        marker = folder / DONE
        if marker.is_file():
            results[project.name] = json.loads(marker.read_text())["result"]
            continue

        def step(tried: int, kept: int, to_try: int, number: int = number, key: str = project.key) -> None:
            if progress is not None:
                progress(f"{key}: {kept} kept, {tried}/{to_try} tried", number + tried / max(1, to_try))

        try:
            result: int | str = len(generate(project, folder, log=log, progress=step, **kwargs))
        except ProjectError as e:
            result = f"rejected: {e}"
            log(f"{project.key}: {result}")
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"requirement": project.key, "result": result}))
        results[project.name] = result
        if progress is not None:
            progress(f"{project.key}: done", number + 1)
    return results
