"""`agora rollout`: play many episodes with any agent spec and write trajectories to JSONL."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()


def rollout_command(
    env: Annotated[list[str], typer.Option("--env", help="Env id (repeat for several).")],
    agent: Annotated[list[str], typer.Option(
        "--agent", help="Agent spec: a scripted name, hf:PATH, vllm:PATH, openai:URL#MODEL or smollm2. "
                        "Once for every seat, or once per seat in seat order.")],
    out: Annotated[str, typer.Option(help="JSONL file; an existing one is resumed.")],
    episodes: Annotated[int, typer.Option(help="Number of episodes.")] = 16,
    group_size: Annotated[int, typer.Option(help="Episodes per seed (a group).")] = 1,
    concurrency: Annotated[int, typer.Option(help="Episodes played at once.")] = 16,
    opponent: Annotated[str | None, typer.Option(
        help="Play a game as a single-agent env against this opponent (the agent takes one seat).")] = None,
    max_turns: Annotated[int, typer.Option(help="Turns after which an episode is truncated.")] = 200,
    agent_timeout_s: Annotated[float | None, typer.Option(help="Fail an episode whose agent takes longer.")] = None,
    max_failure_rate: Annotated[float, typer.Option(help="Stop when more episodes than this fail.")] = 0.5,
) -> None:
    """Play episodes concurrently and append their trajectories to OUT (token ids, logprobs, rewards)."""
    from agora import rollout
    from agora.errors import AgoraError

    agents = agent[0] if len(agent) == 1 else agent
    try:
        result = rollout.run(env, agents, episodes=episodes, group_size=group_size, concurrency=concurrency,
                             out=out, env_kwargs={"opponent": opponent} if opponent else None,
                             max_turns=max_turns, agent_timeout_s=agent_timeout_s,
                             max_failure_rate=max_failure_rate, progress=True)
    except AgoraError as e:
        console.print(f"[red]rollout stopped:[/red] {e}")
        raise typer.Exit(1) from e
    console.print(result.table())
    console.print(f"{result.new} new episodes, {result.resumed} already in {out}, {len(result.failed)} failed.")


def register(app: typer.Typer) -> None:
    """Adds `agora rollout`."""
    app.command("rollout")(rollout_command)
