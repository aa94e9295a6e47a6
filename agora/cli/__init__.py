"""The `agora` command line. Each command group lives in its own module with a `register(app)`."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="agora: multi-turn environments for training LLM agents.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_show_locals=False)

# Modules under agora/cli that add commands; each defines register(app).
COMMAND_MODULES = ("envs", "tournament", "containers", "rollout", "models", "train", "export")

for _module in COMMAND_MODULES:
    importlib.import_module(f"agora.cli.{_module}").register(app)


def main() -> None:
    """Entry point of the `agora` script."""
    app()
