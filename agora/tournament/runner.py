"""`round_robin`: a schedule of seated jobs, played by the rollout engine, then rated and reported.

A tournament is a list of `EpisodeJob`s (one per scheduled game, each naming the agent of every
seat) run through `agora.rollout.arun`, so games are played by the same loop, seeding rule,
agent-error rule, JSONL writer and resume policy as every other rollout. Finished games are
appended to ``games.jsonl`` in the output directory as `Episode` records (flushed and fsync'd); run
again with the same arguments after an interruption, a tournament plays only the missing games.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agora.agent import check_agent_spec
from agora.errors import TournamentError, UnknownAgentError
from agora.rollout import EpisodeJob, RolloutSettings, recover, run
from agora.tournament.report import summarize, write_outputs
from agora.tournament.schedule import Match, round_robin_schedule

LOG_NAME = "games.jsonl"
MAX_TURNS = 10_000
"""Safety cap on the moves of one game; a game cut there is recorded as truncated and not rated."""
DEFAULT_WORKERS = 16


@dataclasses.dataclass
class TournamentResult:
    """What a finished (or resumed) tournament produced."""

    env_id: str
    summary: dict[str, Any]
    """Ratings, matrix and errors (see `agora.tournament.report.summarize`)."""
    out: Path
    paths: dict[str, Path]
    """Output files by name: games.jsonl, results.json, ratings.csv, matrix.csv, table.txt, ratings.png."""
    played: int
    """Games played by this call."""
    resumed: int
    """Games found finished in the log and not played again."""


def default_out(env_id: str) -> Path:
    """Where a tournament on `env_id` writes by default: ``runs/tournament/<family>_<Name-vN>``."""
    return Path("runs") / "tournament" / env_id.replace("/", "_")


def _game(env_id: str, env_kwargs: Mapping[str, Any] | None) -> Any:
    import agora

    return agora.make(env_id, **dict(env_kwargs or {}))


def check_env(env_id: str, env_kwargs: Mapping[str, Any] | None = None) -> int:
    """The number of seats of `env_id`; raises `TournamentError` for a single-agent env."""
    from pettingzoo import AECEnv

    game = _game(env_id, env_kwargs)
    game.close()
    if not isinstance(game, AECEnv):
        raise TournamentError(
            f"{env_id} is a single-agent env; a tournament needs a multi-agent game (see `agora list --family games`)."
        )
    return len(game.possible_agents)


def check_agents(env_id: str, agents: Sequence[str], env_kwargs: Mapping[str, Any] | None = None) -> list[str]:
    """Validates agent specs for `env_id` without building them; an unknown name lists the known ones."""
    agents = list(agents)
    if len(agents) < 2:
        raise TournamentError(f"A tournament needs at least two agents, got {agents}.")
    if len(set(agents)) != len(agents):
        raise TournamentError(f"Agents must be distinct, got {agents}.")
    table = _game(env_id, env_kwargs).unwrapped.scripted_agents
    for spec in agents:
        if not isinstance(spec, str):
            raise TournamentError(f"Tournament agents are named by spec strings, got {type(spec).__name__}.")
        try:
            check_agent_spec(spec, table)
        except UnknownAgentError as error:
            raise UnknownAgentError(f"{error} (for {env_id})") from None
    return agents


def game_job(match: Match, seat_names: Sequence[str], identity: Mapping[str, Any]) -> EpisodeJob:
    """The rollout job of one scheduled game: its deal's seed, its rotation within the deal, its lineup."""
    return EpisodeJob(
        match.env_id,
        match.seed,
        match.rotation,
        seats=dict(zip(seat_names, match.seats, strict=True)),
        meta={"index": match.index, "deal": match.deal, "tournament": dict(identity)},
    )


def round_robin(
    env_id: str,
    agents: Sequence[str],
    games_per_pair: int = 10,
    seed: int = 0,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    progress: bool = True,
    bootstrap_samples: int = 200,
) -> TournamentResult:
    """Plays every group of agents `games_per_pair` times on `env_id` (seats rotated) and rates them.

    Args:
        env_id: a multi-agent game id, e.g. ``"games/TicTacToe-v0"``.
        agents: agent specs: the game's scripted names, ``"random"``, registered prefixes
            (``"hf:PATH"``) or ``"module:callable"`` factories taking ``seed=``.
        games_per_pair: games each pair (each group, in games of more players) plays.
        seed: the tournament seed; every deal's seed derives from it and is recorded in the log.
        workers: games played at once by the rollout engine (default 16).
        out: output directory (default `default_out(env_id)`); its log makes a rerun resume.
        env_kwargs: constructor arguments of the game (e.g. ``{"num_players": 5}``).
        progress: show a progress bar.
        bootstrap_samples: resamples for the rating intervals.
    """
    if not isinstance(games_per_pair, int) or games_per_pair < 1:
        raise TournamentError(f"games_per_pair must be a positive int, got {games_per_pair!r}.")
    env_kwargs = dict(env_kwargs or {})
    num_players = check_env(env_id, env_kwargs)
    agents = check_agents(env_id, agents, env_kwargs)
    schedule = round_robin_schedule(env_id, agents, num_players, games_per_pair, seed)
    game = _game(env_id, env_kwargs)
    identity = {"env_id": env_id, "agents": agents, "seed": seed, "env_kwargs": env_kwargs}
    jobs = [game_job(m, game.possible_agents, identity) for m in schedule]
    out = Path(out) if out is not None else default_out(env_id)
    log = out / LOG_NAME
    _check_log(log, identity)
    settings = RolloutSettings(
        concurrency=workers or DEFAULT_WORKERS, out=log, max_turns=MAX_TURNS, max_failure_rate=1.0, progress=progress
    )
    result = run(env_id, None, jobs=jobs, env_kwargs=env_kwargs, settings=settings)
    header = {**identity, "games_per_pair": games_per_pair}
    summary = summarize(result.episodes, agents, header, bootstrap_samples)
    paths = {LOG_NAME: log, **write_outputs(summary, out)}
    return TournamentResult(env_id, summary, out, paths, played=result.new, resumed=result.resumed)


def _check_log(log: Path, identity: Mapping[str, Any]) -> None:
    """Refuses to append to a log that another tournament (other env, agents, seed or game kwargs) wrote."""
    keys = ("env_id", "agents", "seed", "env_kwargs")
    for episode in recover(log).values():
        theirs = episode.meta.get("tournament", {})
        if any(theirs.get(k) != identity[k] for k in keys):
            raise TournamentError(
                f"{log} belongs to another tournament ({ {k: theirs.get(k) for k in keys} }); this one is "
                f"{ {k: identity[k] for k in keys} }. Use another --out directory or delete the log."
            )
