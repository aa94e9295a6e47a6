"""`agora containers build [--offline]`: builds the sandbox images in `containers/`."""

from __future__ import annotations

from typing import Annotated

import typer


def build(
    offline: Annotated[
        bool,
        typer.Option(help="Build the base from debootstrap + docker import instead of pulling debian:bookworm-slim."),
    ] = False,
) -> None:
    """Build the sandbox images (skipped when their input hash is already built)."""
    from agora.errors import AgoraError
    from agora.sandbox.images import build_images

    try:
        tags = build_images(offline=offline, log=typer.echo)
    except AgoraError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    for tag in tags:
        typer.echo(f"ready: {tag}")


def register(app: typer.Typer) -> None:
    """Adds the `containers` command group."""
    group = typer.Typer(help="Sandbox images: build them (offline too).", no_args_is_help=True)
    group.command("build")(build)
    app.add_typer(group, name="containers")
