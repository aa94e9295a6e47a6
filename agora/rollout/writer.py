"""Crash-safe JSONL output: one `Episode` per line, appended, flushed and fsync'd as each one ends.

A run killed at any moment (even SIGKILL) leaves only whole lines once `EpisodeWriter` has opened
the file again: a torn last line (no newline, or not JSON) is cut off, and the ids of the episodes
already written are returned so the run skips them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from agora.trajectory import Episode


def read_episodes(path: Path) -> tuple[dict[str, Episode], int]:
    """Episodes in `path` by id (without changing the file), and the length in bytes of its whole records.

    The one policy for a torn last line: a last line without its newline counts when it parses as a
    whole record, and is dropped (a game or episode not finished) when it does not.
    """
    if not path.exists():
        return {}, 0
    data = path.read_bytes()
    good_end = data.rfind(b"\n") + 1
    done: dict[str, Episode] = {}
    for line in data[:good_end].splitlines():
        if line.strip():
            episode = Episode.from_json(line.decode("utf-8"))
            done[episode.episode_id] = episode
    tail = data[good_end:]
    if tail.strip():
        try:  # a whole record whose newline did not make it
            episode = Episode.from_json(tail.decode("utf-8"))
            done[episode.episode_id] = episode
            good_end = len(data)
        except (ValueError, TypeError, UnicodeDecodeError):
            pass
    return done, good_end


def recover(path: Path) -> dict[str, Episode]:
    """Episodes already in `path` by id; cuts a torn last line (or ends a whole one) so appends stay whole."""
    done, good_end = read_episodes(path)
    if path.exists():
        size = path.stat().st_size
        if good_end < size:
            os.truncate(path, good_end)
        elif size and not path.read_bytes().endswith(b"\n"):
            with open(path, "ab") as f:
                f.write(b"\n")
    return done


class EpisodeWriter:
    """Appends episodes to a JSONL file, each line flushed and fsync'd before `write` returns."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.existing = recover(self.path)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def write(self, episode: Episode) -> None:
        """Appends one episode as one line and forces it to disk."""
        line = episode.to_json()
        json.loads(line)  # never write a line that cannot be read back
        self._file.write(line + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Closes the file."""
        self._file.close()
