"""The `agora` command line. Each command group lives in its own module with a `register(app)`.

An error that stops a command prints one line (what failed, with the file, field or id and the fix) and
exits 1; ``--debug`` anywhere on the command line (or ``AGORA_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import typer

app = typer.Typer(
    help="agora: multi-turn environments for training LLM agents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

# Modules under agora/cli that add commands; each defines register(app).
COMMAND_MODULES = (
    "envs",
    "tournament",
    "containers",
    "rollout",
    "serve_model",
    "train",
    "swe",
    "demo",
    "serve",
    "export",
    "view",
)

for _module in COMMAND_MODULES:
    importlib.import_module(f"agora.cli.{_module}").register(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `agora` script: runs a command; an uncaught error is one line unless --debug."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("AGORA_DEBUG", "") not in ("", "0")
    args = [a for a in args if a != "--debug"]
    try:
        app(args=args, prog_name="agora")
    except KeyboardInterrupt:
        print("agora: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as e:
        if debug:
            raise
        print(f"agora: error: {error_line(e)}", file=sys.stderr)
        print("(run again with --debug for the traceback)", file=sys.stderr)
        sys.exit(1)


_EXTRAS = {
    "torch": "train",
    "transformers": "train",
    "peft": "train",
    "playwright": "web",
    "docker": "sandbox",
    "textworld": "text",
    "mcp": "text",
    "starlette": "view",
    "uvicorn": "view",
    "jinja2": "view",
}


def error_line(error: BaseException) -> str:
    """One line for an error: agora's own messages as they are, others with their type, plus a hint."""
    from agora.errors import AgoraError

    text = " ".join(str(error).split()) or "(no message)"
    if isinstance(error, ModuleNotFoundError) and error.name:
        extra = _EXTRAS.get(error.name.split(".")[0])
        return f"missing Python package {error.name!r}" + (f": pip install 'agora[{extra}]'" if extra else "")
    line = text if isinstance(error, AgoraError) else f"{type(error).__name__}: {text}"
    return line[:2000]
