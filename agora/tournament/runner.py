"""`round_robin`: schedule, play in parallel with a progress bar, log each game, rate, report.

Games run in worker processes (all cores by default). The main process appends each finished
game to ``games.jsonl`` in the output directory at once (flushed and fsync'd), so an interrupted
tournament, run again with the same arguments, plays only the games missing from the log.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from agora.agent import agent_prefixes, is_known_spec
from agora.errors import TournamentError, UnknownAgentError
from agora.tournament.log import TournamentLog
from agora.tournament.play import make_game, play_match
from agora.tournament.report import summarize, write_outputs
from agora.tournament.schedule import Match, round_robin_schedule

LOG_NAME = "games.jsonl"


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


def check_env(env_id: str, env_kwargs: Mapping[str, Any] | None = None) -> int:
    """The number of seats of `env_id`; raises `TournamentError` for a single-agent env."""
    from pettingzoo import AECEnv

    game = make_game(env_id, env_kwargs)
    if not isinstance(game, AECEnv):
        raise TournamentError(f"{env_id} is a single-agent env; a tournament needs a multi-agent game "
                              "(see `agora list --family games`).")
    return len(game.possible_agents)


def check_agents(env_id: str, agents: Sequence[str], env_kwargs: Mapping[str, Any] | None = None) -> list[str]:
    """Validates agent specs for `env_id` without building them; an unknown name lists the known ones."""
    agents = list(agents)
    if len(agents) < 2:
        raise TournamentError(f"A tournament needs at least two agents, got {agents}.")
    if len(set(agents)) != len(agents):
        raise TournamentError(f"Agents must be distinct, got {agents}.")
    table = make_game(env_id, env_kwargs).unwrapped.scripted_agents
    for spec in agents:
        if not isinstance(spec, str):
            raise TournamentError(f"Tournament agents are named by spec strings, got {type(spec).__name__}.")
        if not is_known_spec(spec, table):
            error = UnknownAgentError.for_name(spec, [*table, "random"], prefixes=agent_prefixes())
            raise UnknownAgentError(f"{error} (for {env_id})")
    return agents


def round_robin(env_id: str, agents: Sequence[str], games_per_pair: int = 10, seed: int = 0,
                workers: int | None = None, out: str | os.PathLike[str] | None = None,
                env_kwargs: Mapping[str, Any] | None = None, progress: bool = True,
                bootstrap_samples: int = 200) -> TournamentResult:
    """Plays every group of agents `games_per_pair` times on `env_id` (seats rotated) and rates them.

    Args:
        env_id: a multi-agent game id, e.g. ``"games/TicTacToe-v0"``.
        agents: agent specs: the game's scripted names, ``"random"``, registered prefixes
            (``"hf:PATH"``) or ``"module:callable"`` factories taking ``seed=``.
        games_per_pair: games each pair (each group, in games of more players) plays.
        seed: the tournament seed; game ``i`` is seeded from (seed, i) and recorded in the log.
        workers: processes (default: all cores; 1 plays in this process).
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
    out = Path(out) if out is not None else default_out(env_id)
    header = {"type": "header", "env_id": env_id, "agents": agents, "seed": seed, "env_kwargs": env_kwargs,
              "games_per_pair": games_per_pair}
    log = TournamentLog(out / LOG_NAME, header)
    finished = log.open()
    _check_resumed(schedule, finished)
    pending = [m for m in schedule if m.index not in finished]
    try:
        played = run_matches(pending, env_kwargs, log.append, workers, progress)
    finally:
        log.close()
    records = [finished.get(m.index) or played[m.index] for m in schedule]
    summary = summarize(records, agents, header, bootstrap_samples)
    paths = {"games.jsonl": log.path, **write_outputs(summary, out)}
    return TournamentResult(env_id, summary, out, paths, played=len(played), resumed=len(schedule) - len(pending))


def _check_resumed(schedule: Sequence[Match], finished: Mapping[int, dict[str, Any]]) -> None:
    for match in schedule:
        record = finished.get(match.index)
        if record is not None and (record["seats"] != list(match.seats) or record["seed"] != match.seed):
            raise TournamentError(f"Game {match.index} in the log has seats {record['seats']} and seed "
                                  f"{record['seed']}, but the schedule says {list(match.seats)} and {match.seed}. "
                                  "Use another --out directory or delete the log.")


def _play_worker(job: tuple[Match, dict[str, Any]]) -> dict[str, Any]:
    return play_match(*job)


def run_matches(matches: Sequence[Match], env_kwargs: Mapping[str, Any], on_record: Callable[[dict[str, Any]], None],
                workers: int | None = None, progress: bool = True) -> dict[int, dict[str, Any]]:
    """Plays `matches` (in parallel when `workers` > 1), calling `on_record` as each finishes."""
    workers = min(workers or os.cpu_count() or 1, max(len(matches), 1))
    done: dict[int, dict[str, Any]] = {}
    jobs = [(m, dict(env_kwargs)) for m in matches]
    with _pool(workers) as pool:
        results = pool.imap_unordered(_play_worker, jobs, chunksize=1) if pool else map(_play_worker, jobs)
        with _progress_bar(len(jobs), progress) as advance:
            for record in results:
                on_record(record)
                done[record["index"]] = record
                advance()
    return done


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[Any]:
    if workers <= 1:
        yield None
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = multiprocessing.get_context(method).Pool(workers)
    try:
        yield pool
        pool.close()
    finally:
        pool.terminate()
        pool.join()


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Callable[[], None]]:
    if not enabled or not total:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    with Progress("games", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("games", total=total)
        yield lambda: bar.advance(task)
