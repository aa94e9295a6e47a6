"""`agora export RUN.jsonl DIR --to hf|swe-sft`: rollout trajectories as a dataset, or swe episodes as SFT rows.

``hf``: a Hugging Face `datasets` dataset, one row per turn. ``swe-sft``: swe/BugFix episodes, one row
each (problem, trajectory, final diff, reward).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def export_command(
    run: Annotated[Path, typer.Argument(help="A rollout JSONL file (agora rollout --out, one episode a line).")],
    out: Annotated[Path, typer.Argument(help="The output directory.")],
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Output format: 'hf' (datasets.save_to_disk) or 'swe-sft' (swe_sft.jsonl, one row an episode)."
        ),
    ] = "hf",
) -> None:
    """Write one row per agent turn (messages, token ids, masks, rewards, advantages) for SFT or offline RL."""
    from agora.errors import AgoraError
    from agora.integrations.hf_datasets import export_hf

    if to not in ("hf", "swe-sft"):
        known = "use --to hf or --to swe-sft"
        console.print(f"[red]--to {to!r} is not a known format; {known}.[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    if not run.is_file():
        console.print(f"[red]{run} is not a file.[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    if to == "swe-sft":
        return _export_swe_sft(run, out)
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


def _export_swe_sft(run: Path, out: Path) -> None:
    from agora.envs.swe.bug_fix.export import export_sft
    from agora.errors import AgoraError

    try:
        path, rows, left_out = export_sft(run, out)
    except AgoraError as e:
        console.print(f"[red]export failed:[/red] {e}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from e
    skipped = f" ({left_out} failed or non-swe episodes left out)" if left_out else ""
    console.print(f"wrote {rows} episodes to {path}{skipped}", soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Adds `agora export`."""
    app.command("export")(export_command)
