"""`agora export RUN.jsonl --to hf DIR`: rollout trajectories as a Hugging Face `datasets` dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def export_command(
    run: Annotated[Path, typer.Argument(help="A rollout JSONL file (agora rollout --out, one episode a line).")],
    out: Annotated[Path, typer.Argument(help="The output directory.")],
    to: Annotated[str, typer.Option("--to", help="Output format: 'hf' (datasets.save_to_disk).")] = "hf",
) -> None:
    """Write one row per agent turn (messages, token ids, masks, rewards, advantages) for SFT or offline RL."""
    from agora.errors import AgoraError
    from agora.integrations.hf_datasets import export_hf

    if to != "hf":
        console.print(f"[red]--to {to!r} is not a known format; use --to hf.[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    if not run.is_file():
        console.print(f"[red]{run} is not a file.[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    try:
        dataset, failed = export_hf(run, out)
    except AgoraError as e:
        console.print(f"[red]export failed:[/red] {e}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from e
    skipped = f" ({failed} failed episodes left out)" if failed else ""
    console.print(
        f"wrote {dataset.num_rows} turns to {out}{skipped}; load with datasets.load_from_disk",
        soft_wrap=True,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Adds `agora export`."""
    app.command("export")(export_command)
