"""`agora view PATH`: a local web app over runs, rollouts, tournaments and training runs (see `agora.view`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from agora.view.pages import Viewer

console = Console()


def view_command(
    path: Annotated[Path, typer.Argument(help="A run folder, a rollout JSONL, a tournament folder or a training run.")],
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on (keep 127.0.0.1 unless you mean to share).")] = (
        "127.0.0.1"
    ),
    export: Annotated[
        Path | None, typer.Option(help="Write a static copy (HTML and CSS) into this folder instead of serving.")
    ] = None,
    export_pages: Annotated[int, typer.Option(help="Pages of 50 episodes per episode file in the static copy.")] = 4,
) -> None:
    """Browse episodes, tournaments and training runs in the browser (indexes large files once, on disk)."""
    from agora._optional import require

    require("starlette", "view")
    require("jinja2", "view")
    from agora.view.pages import Viewer

    viewer = Viewer(path)
    try:
        _index_all(viewer)
        if export is not None:
            from agora.view.export import export as write_export

            files = write_export(viewer, export, max_pages=export_pages)
            console.print(f"wrote a static copy: {len(files)} files in {export}/ (open {export / 'index.html'})")
            return
        from agora.view.app import serve

        serve(viewer, host=host, port=port, on_ready=lambda url: console.print(f"agora view: {url} (Ctrl+C stops)"))
    finally:
        viewer.close()


def _index_all(viewer: Viewer) -> None:
    """Indexes every episode file before serving (once; later loads read only what was appended)."""
    for source in list(viewer.sources.values()):
        if source.kind != "episodes":
            continue
        start = time.perf_counter()
        index = viewer.index(source.path)
        elapsed = time.perf_counter() - start
        if elapsed > 1.0:
            console.print(f"indexed {source.name}: {index.count():,} episodes in {elapsed:.1f} s")


def register(app: typer.Typer) -> None:
    """Adds `agora view`."""
    app.command("view")(view_command)
