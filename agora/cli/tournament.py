"""`agora tournament` and `agora replay`: self-play tournaments from the terminal (`agora demo`: `demo.py`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agora.errors import AgoraError

console = Console()


def _import_from_cwd() -> None:
    """Lets `module:callable` agent specs name modules in the current directory, as `python -m` does."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())


def _fail(error: Exception) -> None:
    console.print(f"[red]error:[/red] {error}")
    raise typer.Exit(2)


def _run_one(
    env_id: str, agents: list[str], games: int, out: Path | None, workers: int | None, seed: int, progress: bool = True
) -> Any:
    from agora.tournament import default_out, round_robin
    from agora.tournament.report import table

    target = out / env_id.replace("/", "_") if out is not None else default_out(env_id)
    try:
        result = round_robin(
            env_id, agents, games_per_pair=games, seed=seed, workers=workers, out=target, progress=progress
        )
    except KeyboardInterrupt:
        console.print(
            f"\n[yellow]interrupted[/yellow]: finished games are in {target / 'games.jsonl'}; "
            "run the same command again to resume."
        )
        raise typer.Exit(130) from None
    console.print(table(result.summary))
    if result.resumed:
        console.print(f"resumed: {result.resumed} game(s) from the log, {result.played} played now")
    errors = result.summary["errors"]
    if errors:
        first = errors[0]
        console.print(
            f"[yellow]{len(errors)} agent error(s)[/yellow], e.g. game {first['index']} seat "
            f"{first['seat']} ({first['agent']}): {first['agent_error']}"
        )
    console.print(f"wrote {result.out}/: " + ", ".join(p.name for p in result.paths.values()))
    return result


def tournament_command(
    env: Annotated[list[str], typer.Option("--env", help="Game id; repeat for several games.")],
    agents: Annotated[
        str, typer.Option(help="Comma-separated agent specs, e.g. random,minimax or pkg.mod:factory.")
    ] = "",
    agent: Annotated[
        list[str] | None,
        typer.Option(
            "--agent", help="One agent spec, taken whole (for specs with commas, e.g. a system prompt); repeatable."
        ),
    ] = None,
    games: Annotated[int, typer.Option(help="Games per pair of agents (seats alternate).")] = 10,
    out: Annotated[Path | None, typer.Option(help="Output directory (default runs/tournament).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Games played at once by the rollout engine (default 16).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Tournament seed (every game's seed derives from it).")] = 0,
) -> None:
    """Round-robin tournament of agents on one or more games: ratings, matrix, table, JSON, CSV, PNG."""
    from agora.tournament import check_agents, check_env

    _import_from_cwd()
    names = [a.strip() for a in agents.split(",") if a.strip()] + list(agent or [])
    try:
        if games < 1:
            raise AgoraError(f"--games must be at least 1, got {games}.")
        for env_id in env:  # validate everything before playing anything
            check_env(env_id)
            check_agents(env_id, names)
        for env_id in env:
            _run_one(env_id, names, games, out, workers, seed)
    except AgoraError as e:
        _fail(e)


def replay_command(
    log: Annotated[Path, typer.Argument(help="A tournament's games.jsonl (or its directory).")],
    game: Annotated[int, typer.Option(help="Index of the game to replay.")],
) -> None:
    """Re-play one logged game from its seed and show the transcript."""
    from agora.tournament import replay

    def show(seat: int, observation: str, action: str, info: Any) -> None:
        console.rule(f"seat {seat}")
        console.print(observation, markup=False, style="dim")
        console.print(f"> {action}", markup=False, style="bold")

    _import_from_cwd()
    try:
        logged, replayed = replay(log, game, on_turn=show)
    except AgoraError as e:
        _fail(e)
    console.rule(f"game {game}: {logged.env_id} seed {logged.seed}")
    for seat, (agent_id, agent) in enumerate(replayed.agents.items()):
        reward = replayed.returns.get(agent_id)
        outcome = f"reward {reward:+g}" if reward is not None else str(replayed.error)
        console.print(f"seat {seat}: {agent:<20} {outcome}", markup=False)
    for turn in replayed.turns:
        if not turn.valid:
            why = turn.info.get("agent_error") or turn.info.get("error") or turn.info.get("parse_error")
            console.print(f"[yellow]{turn.agent_id} move {turn.turn_index}:[/yellow] {why}")
    same = [(t.agent_id, t.action) for t in replayed.turns] == [(t.agent_id, t.action) for t in logged.turns]
    console.print(
        "replay matches the log"
        if same
        else "[yellow]the replayed moves differ from the log (a non-deterministic agent?)[/yellow]"
    )


def register(app: typer.Typer) -> None:
    """Adds the tournament commands to the CLI."""
    app.command("tournament")(tournament_command)
    app.command("replay")(replay_command)
