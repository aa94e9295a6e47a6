"""`agora rollout`: play many episodes with any agent spec and write trajectories to JSONL."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()


def rollout_command(
    env: Annotated[list[str], typer.Option("--env", help="Env id (repeat for several).")],
    agent: Annotated[
        list[str],
        typer.Option(
            "--agent",
            help="Agent spec: a scripted name, hf:PATH, vllm:PATH, openai:URL#MODEL or smollm2. "
            "Once for every seat, or once per seat in seat order.",
        ),
    ],
    out: Annotated[str, typer.Option(help="JSONL file; an existing one is resumed.")],
    episodes: Annotated[int, typer.Option(help="Number of episodes.")] = 16,
    group_size: Annotated[int, typer.Option(help="Episodes per seed (a group).")] = 1,
    concurrency: Annotated[int, typer.Option(help="Episodes played at once.")] = 16,
    opponent: Annotated[
        str | None,
        typer.Option(
            help="Play a game as a single-agent env against this opponent (the agent takes one seat)."
        ),
    ] = None,
    max_turns: Annotated[int, typer.Option(help="Turns after which an episode is truncated.")] = 200,
    agent_timeout_s: Annotated[
        float | None, typer.Option(help="Fail an episode whose agent takes longer.")
    ] = None,
    max_failure_rate: Annotated[float, typer.Option(help="Stop when more episodes than this fail.")] = 0.5,
    env_url: Annotated[
        list[str] | None,
        typer.Option("--env-url", help="Play the env on `agora serve` at ws://HOST:PORT (repeat to spread)."),
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Token of the --env-url servers (default: $AGORA_SERVE_TOKEN).")
    ] = None,
    ray: Annotated[
        str | None, typer.Option("--ray", help="Play the episodes in actors of this Ray cluster ('auto', HOST:PORT).")
    ] = None,
    ray_actors: Annotated[int | None, typer.Option(help="Ray actors (default: cluster CPUs / 0.25).")] = None,
) -> None:
    """Play episodes concurrently and append their trajectories to OUT (token ids, logprobs, rewards)."""
    from agora import rollout
    from agora.errors import AgoraError

    agents = agent[0] if len(agent) == 1 else agent
    env_kwargs = {"opponent": opponent} if opponent else None
    common = {"episodes": episodes, "group_size": group_size, "out": out, "env_kwargs": env_kwargs,
              "max_turns": max_turns, "agent_timeout_s": agent_timeout_s, "progress": True}
    try:
        if ray is not None:
            from agora.rollout.ray_runner import run_ray

            result = run_ray(env, agents, address=ray, actors=ray_actors, **common)
        else:
            source = _remote_source(env, env_url, token, env_kwargs) if env_url else env
            result = rollout.run(source, agents, concurrency=concurrency, max_failure_rate=max_failure_rate,
                                 env_threads=max(concurrency, 1) if env_url else None, **common)
    except AgoraError as e:
        console.print(f"[red]rollout stopped:[/red] {e}")
        raise typer.Exit(1) from e
    console.print(result.table())
    console.print(
        f"{result.new} new episodes, {result.resumed} already in {out}, {len(result.failed)} failed."
    )


def _remote_source(env: list[str], urls: list[str], token: str | None, env_kwargs: dict | None):
    """The engine's env factory for envs on `agora serve` servers."""
    import os

    import agora.remote

    if len(env) != 1:
        raise typer.BadParameter("--env-url plays one --env at a time.")
    return agora.remote.env_factory(urls, env[0], token or os.environ.get("AGORA_SERVE_TOKEN"), **(env_kwargs or {}))


def register(app: typer.Typer) -> None:
    """Adds `agora rollout`."""
    app.command("rollout")(rollout_command)
