"""`agora swe generate|fetch`: bug-fixing tasks for any pure-Python project with a pytest suite."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def generate(
    requirement: Annotated[str, typer.Argument(help="PACKAGE==VERSION of a pure-Python project on PyPI.")],
    out: Annotated[Path, typer.Option(help="Folder that gets tasks.jsonl.")],
    max_tasks: Annotated[int, typer.Option(min=1, help="Stop after this many validated tasks.")] = 50,
    seed: Annotated[int, typer.Option(help="Seed of the mutation order (same seed, same tasks).")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Sandboxes running suites in parallel.")] = 2,
) -> None:
    """Fetch the sdist, build the image, inject bugs and keep those the project's own tests catch."""
    from rich.progress import Progress

    from agora.envs.swe.bug_fix.generate import generate as run
    from agora.envs.swe.bug_fix.projects import parse_requirement
    from agora.errors import AgoraError

    try:
        project = parse_requirement(requirement)
        with Progress(transient=True) as bar:
            job = bar.add_task(f"{project.key}: mutants tried", total=None)

            def progress(tried: int, kept: int) -> None:
                bar.update(job, completed=tried, description=f"{project.key}: {kept}/{max_tasks} tasks kept, tried")

            tasks = run(
                project, out, max_tasks=max_tasks, seed=seed, workers=workers, log=typer.echo, progress=progress
            )
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if not tasks:
        typer.echo(f"error: no mutant of {requirement} made a valid task (its tests caught none).", err=True)
        raise typer.Exit(1)


def fetch(
    requirements: Annotated[
        list[str] | None, typer.Argument(help="PACKAGE==VERSION; none: every pinned project.")
    ] = None,
) -> None:
    """Download sdists into agora's cache with pip and check their pinned sha256 (what setup runs)."""
    from agora.envs.swe.bug_fix.projects import Project, fetch, parse_requirement, pins
    from agora.errors import AgoraError

    projects = (
        [parse_requirement(r) for r in requirements]
        if requirements
        else [Project(n, p["version"], p["sha256"]) for n, p in pins().items()]
    )
    try:
        for project in projects:
            typer.echo(f"ready: {fetch(project)}")
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e


def register(app: typer.Typer) -> None:
    """Adds the `swe` command group."""
    group = typer.Typer(help="SWE tasks: fetch projects, generate validated bug-fixing tasks.", no_args_is_help=True)
    group.command("generate")(generate)
    group.command("fetch")(fetch)
    app.add_typer(group, name="swe")
