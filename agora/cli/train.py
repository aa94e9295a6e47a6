"""`agora train CONFIG.toml` (with a progress bar) and `agora plot RUN` (learning curves to PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def train_command(
    config: Annotated[Path, typer.Argument(help="A TOML file of TrainConfig fields (examples/*.toml).")],
    out_dir: Annotated[str | None, typer.Option(help="Override the config's out_dir.")] = None,
    steps: Annotated[int | None, typer.Option(help="Override the number of updates.")] = None,
    resume: Annotated[bool, typer.Option(help="Resume from the newest checkpoint in out_dir.")] = True,
) -> None:
    """Train a model on an env or by self-play; metrics go to OUT_DIR/metrics.jsonl."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agora.trainers.config import load_config
    from agora.trainers.loop import Trainer

    overrides = {k: v for k, v in {"out_dir": out_dir, "steps": steps}.items() if v is not None}
    cfg = load_config(config, **overrides)
    columns = (
        TextColumn("[bold]train"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("train", total=cfg.steps, status="warm-up / first eval")

        def progress(step: int, metrics: dict[str, float]) -> None:
            shown = {k.split("/")[-1]: v for k, v in metrics.items() if k in _SHOWN or k.startswith("eval/")}
            bar.update(task, completed=step, status="  ".join(f"{k}={v:.3g}" for k, v in shown.items()))

        trainer = Trainer(cfg, progress=progress)
        if resume and trainer.resume():
            bar.update(task, completed=trainer.step, status=f"resumed at step {trainer.step}")
        trainer.run()
        trainer.metrics.close()
    out = Path(cfg.out_dir)
    console.print(f"metrics: {out / 'metrics.jsonl'}   checkpoints: {out / 'checkpoints'}")


_SHOWN = ("env/return_mean", "env/valid_rate", "losses/kl")


def plot_command(
    run: Annotated[Path, typer.Argument(help="A run directory (holding metrics.jsonl) or a metrics file.")],
    out: Annotated[Path | None, typer.Option(help="PNG path (default RUN/curves.png).")] = None,
) -> None:
    """Draw a run's learning curves to a PNG."""
    from agora.trainers.plot import plot_run

    console.print(f"wrote {plot_run(run, out)}")


def register(app: typer.Typer) -> None:
    """Adds `train` and `plot` to the CLI."""
    app.command("train")(train_command)
    app.command("plot")(plot_command)
