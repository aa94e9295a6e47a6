"""`agora rollout`: play many episodes with any agent spec and write trajectories to JSONL.

Agent specs and their ``?options`` are checked before anything runs (an unknown name, option, model
path or URL stops the command with one line). A run in which every episode failed exits 1. Resuming an
existing OUT plays episodes that failed on infrastructure again unless ``--keep-infra-failures``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

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
        typer.Option(help="Play a game as a single-agent env against this opponent (the agent takes one seat)."),
    ] = None,
    max_turns: Annotated[int, typer.Option(help="Turns after which an episode is truncated.")] = 200,
    agent_timeout_s: Annotated[float | None, typer.Option(help="Fail an episode whose agent takes longer.")] = None,
    max_failure_rate: Annotated[float, typer.Option(help="Stop when more episodes than this fail.")] = 0.5,
    keep_infra_failures: Annotated[
        bool, typer.Option(help="On resume, keep episodes that failed on infrastructure instead of replaying them.")
    ] = False,
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
    processes: Annotated[
        int, typer.Option(min=1, help="Worker processes sharing the episodes (and --concurrency); this one writes OUT.")
    ] = 1,
) -> None:
    """Play episodes concurrently and append their trajectories to OUT (token ids, logprobs, rewards)."""
    from agora import rollout
    from agora.errors import AgoraError

    agents = agent[0] if len(agent) == 1 else agent
    env_kwargs = {"opponent": opponent} if opponent else None
    check_agent_specs(agent, env, env_kwargs or {})
    if processes > 1 and ray is not None:
        raise typer.BadParameter(
            "--ray spreads episodes over Ray actors; give --processes without --ray.", param_hint="--processes"
        )
    if processes > 1:
        from agora.rollout.processes import check_portable_agents

        check_portable_agents(agents, [], "every worker process")
    common = {
        "episodes": episodes,
        "group_size": group_size,
        "out": out,
        "env_kwargs": env_kwargs,
        "max_turns": max_turns,
        "agent_timeout_s": agent_timeout_s,
        "progress": True,
        "retry_infra_failures": not keep_infra_failures,
    }
    try:
        if ray is not None:
            from agora.rollout.ray_runner import run_ray

            result = run_ray(env, agents, address=ray, actors=ray_actors, **common)
        else:
            source = _remote_source(env, env_url, token, env_kwargs) if env_url else env
            result = rollout.run(
                source,
                agents,
                concurrency=concurrency,
                max_failure_rate=max_failure_rate,
                env_threads=max(concurrency, 1) if env_url else None,
                processes=processes,
                **common,
            )
    except AgoraError as e:
        console.print(f"[red]rollout stopped:[/red] {e}")
        raise typer.Exit(1) from e
    console.print(result.table())
    console.print(f"{result.new} new episodes, {result.resumed} already in {out}, {len(result.failed)} failed.")
    if result.episodes and len(result.failed) == len(result.episodes):
        first = result.failed[0].error or "unknown error"
        console.print(f"[red]every episode failed[/red]; the first: {first}", highlight=False)
        raise typer.Exit(1)


def check_agent_specs(specs: Sequence[str], env_ids: Sequence[str], env_kwargs: Mapping[str, Any]) -> None:
    """Raises `UnknownAgentError` for a spec no agent answers to, before any episode runs.

    Checks the name (scripted agents of each env, ``random``, the registered prefixes, ``module:callable``),
    the ``?options`` of model specs, that an ``hf:`` path exists and that an ``openai:`` URL is one.
    """
    import agora
    from agora.agent import is_known_spec
    from agora.errors import UnknownAgentError

    tables: dict[str, str] = {}
    for env_id in env_ids:
        tables.update(getattr(agora.spec(env_id).load(), "scripted_agents", {}) or {})
    for spec in specs:
        if not is_known_spec(spec, tables):
            from agora.agent import agent_prefixes

            raise UnknownAgentError.for_name(spec, [*tables, "random"], prefixes=agent_prefixes())
        _check_model_spec(spec)


def _check_model_spec(spec: str) -> None:
    """Validates the options, path or URL of an ``hf:``, ``vllm:``, ``smollm2`` or ``openai:`` spec."""
    prefix, _, rest = spec.partition(":") if ":" in spec.split("?")[0] else (spec.split("?")[0], "", "")
    if prefix not in ("hf", "vllm", "smollm2", "openai"):
        return
    from agora.agents import parse_spec_options
    from agora.errors import UnknownAgentError

    query = spec.partition("?")[2]
    try:
        parse_spec_options("?" + query)
    except ValueError as e:  # an unknown key, or a value of the wrong type
        raise UnknownAgentError(f"agent {spec!r}: {e}") from None
    target = rest.partition("?")[0]
    if prefix == "hf" and not Path(target).exists():
        raise UnknownAgentError(f"agent {spec!r}: no model at {target!r}; hf:PATH needs a local checkpoint.")
    if prefix == "openai":
        url = urlparse(target.partition("#")[0])
        if url.scheme not in ("http", "https") or not url.netloc:
            example = "openai:http://127.0.0.1:8000/v1#model"
            raise UnknownAgentError(f"agent {spec!r}: {target!r} is not an http(s) URL, e.g. {example}")


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
