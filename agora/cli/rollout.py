"""`agora rollout`: play many episodes with any agent spec and write trajectories to JSONL.

Agent specs and their ``?options`` are checked before anything runs (an unknown name, option, model
path or URL stops the command with one line). A run in which every episode failed exits 1. Resuming an
existing OUT plays episodes that failed on infrastructure again unless ``--keep-infra-failures``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()


_AGENT_HELP = (
    "Agent spec: a scripted name, hf:PATH, vllm:PATH, openai:URL#MODEL or smollm2. "
    "Once for every seat, or once per seat in seat order."
)
_Envs = Annotated[list[str], typer.Option("--env", help="Env id (repeat for several).")]
_Agents = Annotated[list[str], typer.Option("--agent", help=_AGENT_HELP)]
_Out = Annotated[str, typer.Option(help="JSONL file; an existing one is resumed.")]
_Episodes = Annotated[int, typer.Option(help="Number of episodes.")]
_GroupSize = Annotated[int, typer.Option(help="Episodes per seed (a group).")]
_Concurrency = Annotated[int, typer.Option(help="Episodes played at once.")]
_Opponent = Annotated[
    str | None,
    typer.Option(help="Play a game as a single-agent env against this opponent (the agent takes one seat)."),
]
_MaxTurns = Annotated[int, typer.Option(help="Turns after which an episode is truncated.")]
_AgentTimeout = Annotated[float | None, typer.Option(help="Fail an episode whose agent takes longer.")]
_MaxFailureRate = Annotated[float, typer.Option(help="Stop when more episodes than this fail.")]
_KeepInfra = Annotated[
    bool, typer.Option(help="On resume, keep episodes that failed on infrastructure instead of replaying them.")
]
_EnvUrls = Annotated[
    list[str] | None,
    typer.Option("--env-url", help="Play the env on `agora serve` at ws://HOST:PORT (repeat to spread)."),
]
_Token = Annotated[str | None, typer.Option(help="Token of the --env-url servers (default: $AGORA_SERVE_TOKEN).")]
_Ray = Annotated[
    str | None, typer.Option("--ray", help="Play the episodes in actors of this Ray cluster ('auto', HOST:PORT).")
]
_RayActors = Annotated[int | None, typer.Option(help="Ray actors (default: cluster CPUs / 0.25).")]
_Processes = Annotated[
    int, typer.Option(min=1, help="Worker processes sharing the episodes (and --concurrency); this one writes OUT.")
]


def rollout_command(
    env: _Envs,
    agent: _Agents,
    out: _Out,
    episodes: _Episodes = 16,
    group_size: _GroupSize = 1,
    concurrency: _Concurrency = 16,
    opponent: _Opponent = None,
    max_turns: _MaxTurns = 200,
    agent_timeout_s: _AgentTimeout = None,
    max_failure_rate: _MaxFailureRate = 0.5,
    keep_infra_failures: _KeepInfra = False,
    env_url: _EnvUrls = None,
    token: _Token = None,
    ray: _Ray = None,
    ray_actors: _RayActors = None,
    processes: _Processes = 1,
) -> None:
    """Play episodes concurrently and append their trajectories to OUT (token ids, logprobs, rewards)."""
    from agora.rollout import RolloutSettings

    if processes > 1 and ray is not None:
        raise typer.BadParameter(
            "--ray spreads episodes over Ray actors; give --processes without --ray.", param_hint="--processes"
        )
    env_kwargs = {"opponent": opponent} if opponent else {}
    check_agent_specs(agent, env, env_kwargs)
    settings = RolloutSettings(
        concurrency=concurrency,
        processes=processes,
        out=out,
        retry_infra_failures=not keep_infra_failures,
        max_turns=max_turns,
        agent_timeout_s=agent_timeout_s,
        max_failure_rate=max_failure_rate,
        env_threads=max(concurrency, 1) if env_url else None,
        progress=True,
        ray_address=ray,
    )
    plan = {"episodes": episodes, "group_size": group_size, "env_kwargs": env_kwargs or None}
    source = _remote_source(env, env_url, token, env_kwargs) if env_url and ray is None else env
    result = _play(source, agent[0] if len(agent) == 1 else agent, plan, settings, ray_actors)
    console.print(result.table())
    console.print(f"{result.new} new episodes, {result.resumed} already in {out}, {len(result.failed)} failed.")
    if result.episodes and len(result.failed) == len(result.episodes):
        first = result.failed[0].error or "unknown error"
        console.print(f"[red]every episode failed[/red]; the first: {first}", highlight=False)
        raise typer.Exit(1)


def _play(source: Any, agents: Any, plan: dict[str, Any], settings: Any, ray_actors: int | None) -> Any:
    """Plays the run here (`rollout.run`) or on Ray (`run_ray`); a stopped run exits 1 with its reason."""
    from agora import rollout
    from agora.errors import AgoraError

    try:
        if settings.ray_address is not None:
            from agora.rollout.ray_runner import RayOptions, run_ray

            return run_ray(source, agents, ray_options=RayOptions(actors=ray_actors), settings=settings, **plan)
        return rollout.run(source, agents, settings=settings, **plan)
    except AgoraError as e:
        console.print(f"[red]rollout stopped:[/red] {e}")
        raise typer.Exit(1) from e


def check_agent_specs(specs: Sequence[str], env_ids: Sequence[str], env_kwargs: Mapping[str, Any]) -> None:
    """Raises `UnknownAgentError` for a spec no agent answers to, before any episode runs.

    The agent registry judges each spec (`agora.agent.check_agent_spec`: the name, and what its prefix
    checks of options, paths and URLs) against the scripted agents of every env.
    """
    import agora
    from agora.agent import check_agent_spec

    tables: dict[str, str] = {}
    for env_id in env_ids:
        tables.update(getattr(agora.spec(env_id).load(), "scripted_agents", {}) or {})
    for spec in specs:
        check_agent_spec(spec, tables)


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
