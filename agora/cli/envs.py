"""`agora list`, `agora info` and `agora play`: browse the registry and play an env in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

console = Console()


def list_command(family: Annotated[str | None, typer.Option(help="Only this family, e.g. games.")] = None) -> None:
    """List registered env ids (and plugins that failed to load)."""
    from agora.plugins import plugin_failures
    from agora.registry import registered_specs

    table = Table("id", "family", "registered by", "max turns")
    for env_id, spec in sorted(registered_specs().items()):
        if family is None or spec.family == family:
            table.add_row(env_id, spec.family, spec.plugin or "-", str(spec.max_turns or "-"))
    console.print(table)
    for name, error in plugin_failures().items():
        console.print(f"[red]plugin {name!r} failed to load:[/red] {type(error.cause).__name__}: {error.cause}")


def info_command(env_id: str) -> None:
    """Show an env's docs page: rules, action format, rewards, defaults."""
    import agora

    spec = agora.spec(env_id)
    creator = spec.load()
    console.print(Markdown(f"# {env_id}\n\n{spec.docs()}"))  # Markdown keeps [brackets] literal
    extra = getattr(creator, "isolation_note", None)
    if extra:
        console.print(f"isolation: {extra}")
        from agora.sandbox import seccomp_warning

        warning = seccomp_warning()
        if warning:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def play_command(
    env_id: str,
    opponent: Annotated[str, typer.Option(help="Opponent agent for games (e.g. random, minimax).")] = "random",
    seat: Annotated[int | None, typer.Option(help="Your seat in a game (default: random).")] = None,
    seed: Annotated[int | None, typer.Option(help="Episode seed.")] = None,
) -> None:
    """Play an env yourself in the terminal: type an action at each prompt (Ctrl-D quits)."""
    from pettingzoo import AECEnv

    import agora

    creator = agora.spec(env_id).load()
    is_game = isinstance(creator, type) and issubclass(creator, AECEnv)
    env = (
        agora.make(env_id, opponent=opponent, seat="random" if seat is None else seat)
        if is_game
        else agora.make(env_id)
    )
    obs, info = env.reset(seed=seed)
    console.rule(env_id)
    console.print(info.get("instructions", ""), style="dim", markup=False, highlight=False)
    total, done = 0.0, False
    while not done:
        _show(obs)
        try:
            action = console.input("[bold]> [/bold]")
        except EOFError:
            console.print("\nbye")
            return
        obs, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        done = terminated or truncated
        if info.get("error"):
            console.print(info["error"], style="yellow", markup=False, highlight=False)
    _show(obs)
    console.rule(f"episode over: return {total:g}")


def _show(obs: object) -> None:
    """Prints an observation as plain text (page text may hold [brackets] that are not markup)."""
    if isinstance(obs, dict):  # pixel mode: the text part, and the screenshot's size
        image = obs.get("image")
        obs = f"{obs.get('text', '')}\n(screenshot {getattr(image, 'shape', '?')})"
    console.print(f"\n{obs}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Adds the env commands to the CLI."""
    app.command("list")(list_command)
    app.command("info")(info_command)
    app.command("play")(play_command)
