"""Re-plays a logged game from its seed and seats, for `agora replay`.

The game and every agent are reset with the seeds the tournament used, so scripted agents make
the same moves again; the replayed moves are compared with the logged ones (an agent that is not
deterministic, e.g. an LLM sampling without a seed, may differ, which the result says).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from agora.errors import TournamentError
from agora.tournament.log import read_records
from agora.tournament.play import TurnCallback, play_match
from agora.tournament.schedule import Match


def load_game(log_path: str | os.PathLike[str], index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The log's header and the record of game `index`; the error lists the range that exists."""
    path = Path(log_path)
    if path.is_dir():
        path = path / "games.jsonl"
    if not path.exists():
        raise TournamentError(f"No tournament log at {path}. Pass the games.jsonl a tournament wrote.")
    records = list(read_records(path))
    if not records or records[0].get("type") != "header":
        raise TournamentError(f"{path} is not a tournament log (its first line is not a header).")
    games = {r["index"]: r for r in records[1:] if r.get("type") == "game"}
    if index not in games:
        have = f"{min(games)}..{max(games)} ({len(games)} games)" if games else "none"
        raise TournamentError(f"Game {index} is not in {path}; logged games: {have}.")
    return records[0], games[index]


def replay(log_path: str | os.PathLike[str], index: int, on_turn: TurnCallback | None = None
           ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plays game `index` of a log again; returns (logged record, replayed record)."""
    header, logged = load_game(log_path, index)
    match = Match(logged["env_id"], logged["index"], tuple(logged["seats"]), logged["seed"],
                  logged.get("deal", logged["index"]))
    replayed = play_match(match, header.get("env_kwargs") or {}, on_turn=on_turn)
    return logged, replayed
