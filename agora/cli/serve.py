"""`agora serve`: every registered env (plugins included) over WebSocket, for clients anywhere."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to bind (loopback by default; others need --token).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(help="Clients must send 'Authorization: Bearer TOKEN' (default: $AGORA_SERVE_TOKEN)."),
    ] = None,
    max_sessions: Annotated[int, typer.Option(help="Most sessions (connections) at once.")] = 4096,
    idle_timeout_s: Annotated[float, typer.Option(help="Close a session (and its envs) idle this long.")] = 600.0,
    max_message_bytes: Annotated[int, typer.Option(help="Largest request frame; larger ones get an error.")] = 1 << 20,
    env_threads: Annotated[int, typer.Option(help="Threads for slow env calls (browsers, sandboxes).")] = 32,
) -> None:
    """Serve every registered env over WebSocket (agora protocol at /, OpenEnv at /openenv/ID/ws)."""
    from agora.errors import AgoraError
    from agora.server import serve

    try:
        serve(
            host,
            port,
            token=token or os.environ.get("AGORA_SERVE_TOKEN") or None,
            max_sessions=max_sessions,
            idle_timeout_s=idle_timeout_s,
            max_message_bytes=max_message_bytes,
            env_threads=env_threads,
        )
    except KeyboardInterrupt:
        pass
    except AgoraError as e:
        console.print(f"[red]agora serve:[/red] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from e


def register(app: typer.Typer) -> None:
    """Adds `agora serve`."""
    app.command("serve")(serve_command)
