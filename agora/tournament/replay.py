"""Re-plays a logged game from its seed and seats, for `agora replay`.

The logged `Episode` becomes a rollout job again (same env, seed, rotation and lineup), so the
rollout engine resets the game and every agent with the seeds the tournament used and scripted
agents make the same moves; the replayed moves are compared with the logged ones (an agent that
is not deterministic, e.g. an LLM sampling without a seed, may differ, which the result says).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from agora.errors import TournamentError
from agora.rollout import EpisodeJob, read_episodes, run
from agora.trajectory import Episode

TurnCallback = Callable[[int, str, str, Mapping[str, Any]], None]
"""Called for each move with (seat index, observation, action, info)."""


def load_game(log_path: str | os.PathLike[str], index: int) -> Episode:
    """The record of game `index` in a tournament log; the error lists the range that exists."""
    path = Path(log_path)
    if path.is_dir():
        path = path / "games.jsonl"
    if not path.exists():
        raise TournamentError(f"No tournament log at {path}. Pass the games.jsonl a tournament wrote.")
    games = {e.meta["index"]: e for e in read_episodes(path)[0].values() if "tournament" in e.meta}
    if index not in games:
        have = f"{min(games)}..{max(games)} ({len(games)} games)" if games else "none"
        raise TournamentError(f"Game {index} is not in {path}; logged games: {have}.")
    return games[index]


def replay(
    log_path: str | os.PathLike[str], index: int, on_turn: TurnCallback | None = None
) -> tuple[Episode, Episode]:
    """Plays game `index` of a log again through the rollout engine; returns (logged, replayed) records."""
    from agora.tournament.runner import MAX_TURNS

    logged = load_game(log_path, index)
    if logged.seed is None:
        raise ValueError(f"game {index} of {log_path} was logged without a seed: it cannot be played again")
    job = EpisodeJob(
        logged.env_id, logged.seed, logged.index_in_group, seats=dict(logged.agents), meta=dict(logged.meta)
    )
    env_kwargs = logged.meta["tournament"].get("env_kwargs") or {}
    (replayed,) = run(
        logged.env_id, None, jobs=[job], env_kwargs=env_kwargs, max_turns=MAX_TURNS, concurrency=1, max_failure_rate=1.0
    ).episodes
    seats = list(replayed.agents)
    if on_turn is not None:
        for turn in replayed.turns:
            on_turn(seats.index(turn.agent_id), turn.observation, turn.action, turn.info)
    return logged, replayed
