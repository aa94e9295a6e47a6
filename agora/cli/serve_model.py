"""`agora serve-model PATH`: an OpenAI-compatible chat-completions server over a transformers model."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()


def serve_model_command(
    path: Annotated[str, typer.Argument(help="A transformers checkpoint directory, or 'smollm2'.")],
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8000,
    name: Annotated[str | None, typer.Option(help="Model name the server reports (default: PATH).")] = None,
    max_batch: Annotated[int, typer.Option(help="Most requests per generate call.")] = 32,
) -> None:
    """Serve POST /v1/chat/completions and GET /v1/models over HFEngine (batched, CPU by default)."""
    # The CLI is the top of the stack: it may load agents lazily, inside the command.
    from agora._optional import require

    models = require("agora.agents.local_models", "train")
    server_mod = require("agora.agents.model_server", "train")
    from agora.agents.hf import HFEngine

    model_path = str(models.smollm2()) if path == "smollm2" else path
    server = server_mod.ModelServer(HFEngine(model_path, max_batch=max_batch), name or path)
    httpd = server.serve(host, port)
    console.print(
        f"serving {name or path} at http://{host}:{httpd.server_address[1]}/v1 (Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    console.file.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        server.engine.close()


def register(app: typer.Typer) -> None:
    """Adds `agora serve-model`."""
    app.command("serve-model")(serve_model_command)
