"""The tournament log: one JSON line per finished game, appended, flushed and fsync'd.

The first line is a header naming the tournament (env, agents, seed); later lines are game
records (see `agora.tournament.play`). A process killed mid-write leaves at most one partial last
line; `open_log` cuts it off before appending, so a resumed tournament replays only that game.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agora.errors import TournamentError


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The complete JSON records of a log (a partial last line is skipped)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                return  # cut short by a kill: that game is not finished
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def _cut_partial_tail(path: Path) -> None:
    with open(path, "rb+") as f:
        data = f.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            f.truncate(end)


class TournamentLog:
    """An append-only JSONL log; `append` makes each record durable before it returns."""

    def __init__(self, path: Path, header: dict[str, Any]):
        self.path = path
        self.header = header
        self._file = None

    def open(self) -> dict[int, dict[str, Any]]:
        """Opens the log (creating it with the header), checks the header; returns finished games by index."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        finished: dict[int, dict[str, Any]] = {}
        if self.path.exists() and self.path.stat().st_size:
            _cut_partial_tail(self.path)
            records = list(read_records(self.path))
            if records:
                self._check_header(records[0])
            finished = {r["index"]: r for r in records[1:] if r.get("type") == "game"}
        self._file = open(self.path, "a", encoding="utf-8")
        if self.path.stat().st_size == 0:
            self.append(self.header)
        return finished

    def _check_header(self, found: dict[str, Any]) -> None:
        keys = ("env_id", "agents", "seed", "env_kwargs")
        if found.get("type") != "header" or any(found.get(k) != self.header.get(k) for k in keys):
            theirs = {k: found.get(k) for k in keys}
            raise TournamentError(
                f"{self.path} belongs to another tournament ({theirs}); this one is "
                f"{ {k: self.header.get(k) for k in keys} }. Use another --out directory or delete the log.")

    def append(self, record: dict[str, Any]) -> None:
        """Writes one record as a line and fsyncs it."""
        if self._file is None:
            raise TournamentError("TournamentLog.append() before open().")
        self._file.write(json.dumps(record, default=repr) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Closes the file."""
        if self._file is not None:
            self._file.close()
            self._file = None
