"""`agora swe generate|combine|fetch|export`: bug-fixing tasks for any pure-Python project with a pytest suite."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def generate(
    requirement: Annotated[
        str, typer.Argument(help="PACKAGE==VERSION of a pure-Python project on PyPI, or a file of such lines.")
    ],
    out: Annotated[Path, typer.Option(help="Folder that gets tasks.jsonl (a file of projects: one folder each).")],
    max_tasks: Annotated[int, typer.Option(min=1, help="Stop after this many validated tasks.")] = 50,
    seed: Annotated[int, typer.Option(help="Seed of the mutation order (same seed, same tasks).")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Sandboxes running suites in parallel.")] = 2,
) -> None:
    """Fetch the sdist, build the image, inject bugs and keep those the project's own tests catch.

    Given a file of PACKAGE==VERSION lines, builds them in turn into OUT/<name>/ with one progress bar;
    a rerun skips the projects already done (resumable).
    """
    from rich.progress import Progress

    from agora.envs.swe.bug_fix.generate import Budget, generate_many, read_requirements
    from agora.envs.swe.bug_fix.generate import generate as run
    from agora.envs.swe.bug_fix.projects import parse_requirement
    from agora.errors import AgoraError

    options = {"max_tasks": max_tasks, "seed": seed, "workers": workers}
    try:
        if Path(requirement).is_file():
            projects = [parse_requirement(r) for r in read_requirements(Path(requirement))]
            with Progress(transient=True) as bar:
                job = bar.add_task("projects", total=len(projects))
                results = generate_many(
                    projects,
                    out,
                    log=typer.echo,
                    progress=lambda label, done: bar.update(job, completed=done, description=label),
                    **options,
                )
            for name, result in results.items():
                typer.echo(f"{name}: {result if isinstance(result, str) else f'{result} tasks'}")
            return
        project = parse_requirement(requirement)
        with Progress(transient=True) as bar:
            job = bar.add_task(f"{project.key}: mutants tried", total=None)

            def progress(tried: int, kept: int, to_try: int) -> None:
                bar.update(job, completed=tried, total=to_try, description=f"{project.key}: {kept}/{max_tasks} kept")

            tasks = run(project, out, Budget(**options), log=typer.echo, progress=progress)
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if not tasks:
        typer.echo(f"error: no mutant of {requirement} made a valid task (its tests caught none).", err=True)
        raise typer.Exit(1)


def export(
    out: Annotated[Path, typer.Argument(help="Folder that gets instances.jsonl.")],
    tasks: Annotated[str, typer.Option(help="'all', a shipped project, or a tasks.jsonl (or its folder).")] = "all",
    fmt: Annotated[str, typer.Option("--format", help="Output layout: swe-smith.")] = "swe-smith",
) -> None:
    """Write tasks as SWE-smith / SWE-bench instances (instance_id, repo, patch, FAIL_TO_PASS, ...)."""
    from agora.envs.swe.bug_fix.export import FORMATS, export_tasks
    from agora.envs.swe.bug_fix.tasks import load_tasks
    from agora.errors import AgoraError

    if fmt not in FORMATS:
        typer.echo(f"error: --format {fmt!r} is not known; use one of: {', '.join(FORMATS)}.", err=True)
        raise typer.Exit(2)
    try:
        loaded = load_tasks(tasks)
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"wrote {len(loaded)} instances to {export_tasks(loaded, out, fmt)}")


def combine(
    out: Annotated[Path, typer.Option(help="Folder that gets tasks.jsonl.")],
    tasks: Annotated[str, typer.Option(help="Single-bug tasks of one project: a shipped name or a tasks.jsonl.")],
    parts: Annotated[int, typer.Option(min=2, max=3, help="Bugs per task (each in a different function).")] = 2,
    max_tasks: Annotated[int, typer.Option(min=1, help="Stop after this many validated tasks.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the combination order.")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Sandboxes running suites in parallel.")] = 2,
) -> None:
    """Combine validated bugs into harder tasks, keeping those where every part is needed."""
    from rich.progress import Progress

    from agora.envs.swe.bug_fix.combine import combine as run
    from agora.envs.swe.bug_fix.tasks import load_tasks
    from agora.errors import AgoraError

    try:
        singles = load_tasks(tasks)
        if len({t.package for t in singles}) != 1:
            raise typer.BadParameter("--tasks must hold the tasks of one project.")
        with Progress(transient=True) as bar:
            job = bar.add_task("combinations tried", total=None)

            def progress(tried: int, kept: int, to_try: int) -> None:
                bar.update(job, completed=tried, total=to_try, description=f"{kept}/{max_tasks} kept")

            made = run(singles, out, parts=parts, max_tasks=max_tasks, seed=seed, workers=workers, progress=progress)
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"{len(made)} combined tasks -> {out / 'tasks.jsonl'}")
    if not made:
        raise typer.Exit(1)


def fetch(
    requirements: Annotated[
        list[str] | None, typer.Argument(help="PACKAGE==VERSION; none: the shipped projects and the tests' own.")
    ] = None,
) -> None:
    """Download sdists into agora's cache with pip and check their pinned sha256 (what setup runs)."""
    from agora.envs.swe.bug_fix.projects import Project, fetch, parse_requirement, pins
    from agora.errors import AgoraError

    projects = (
        [parse_requirement(r) for r in requirements]
        if requirements
        else [Project(n, p["version"], p["sha256"]) for n, p in pins().items() if p.get("shipped") or p.get("test")]
    )
    try:
        for project in projects:
            typer.echo(f"ready: {fetch(project)}")
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e


def register(app: typer.Typer) -> None:
    """Adds the `swe` command group."""
    group = typer.Typer(
        help="SWE tasks: fetch projects, generate validated bug-fixing tasks, export them.", no_args_is_help=True
    )
    group.command("generate")(generate)
    group.command("fetch")(fetch)
    group.command("export")(export)
    group.command("combine")(combine)
    app.add_typer(group, name="swe")
