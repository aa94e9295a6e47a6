"""Crash-safe JSONL output: one `Episode` per line, appended, flushed and fsync'd before it counts as written.

The engine writes the episodes that finished since its last write together (one flush and one fsync
per batch, `EpisodeWriter.write_many`): an fsync per episode cost more CPU than playing it.

A run killed at any moment (even SIGKILL) leaves only whole lines once `EpisodeWriter` has opened
the file again: a torn last line (no newline, or not JSON) is cut off, and the ids of the episodes
already written are returned so the run skips them. Episodes that failed on infrastructure (a sandbox,
browser or tool server fault: `is_infra_failure`) are dropped on resume and played again, unless the
writer is told to keep them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from agora.errors import AgoraError
from agora.trajectory import Episode


def is_infra_failure(episode: Episode) -> bool:
    """True for a failed episode whose error was an `agora.errors.InfraError` (sandbox, browser, tool server...)."""
    return episode.status == "failed" and bool(episode.meta.get("infra_failure"))


def read_episodes(path: Path) -> tuple[dict[str, Episode], int]:
    """Episodes in `path` by id (without changing the file), and the length in bytes of its whole records.

    The one reader of episode files: resume (`recover`), tournament replay and `agora export` use it. A
    line before the last that is not a record raises `AgoraError` naming the file and line.

    The one policy for a torn last line: a last line without its newline counts when it parses as a
    whole record, and is dropped (a game or episode not finished) when it does not.
    """
    if not path.exists():
        return {}, 0
    data = path.read_bytes()
    good_end = data.rfind(b"\n") + 1
    done: dict[str, Episode] = {}
    for number, line in enumerate(data[:good_end].splitlines(), 1):
        if line.strip():
            try:
                episode = Episode.from_json(line.decode("utf-8"))
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
                raise AgoraError(f"{path}:{number} is not an agora episode record ({e}).") from e
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


def recover(path: Path, *, retry_infra_failures: bool = False) -> dict[str, Episode]:
    """Episodes already in `path` by id; cuts a torn last line (or ends a whole one) so appends stay whole.

    With `retry_infra_failures`, episodes that failed on infrastructure are removed from the file (an
    atomic rewrite) and not returned, so a resumed run plays them again; a transient fault does not
    leave a group short forever.
    """
    done, good_end = read_episodes(path)
    if not path.exists():
        return done
    size = path.stat().st_size
    if good_end < size:
        os.truncate(path, good_end)
    elif size and not path.read_bytes().endswith(b"\n"):
        with open(path, "ab") as f:
            f.write(b"\n")
    if retry_infra_failures and any(is_infra_failure(e) for e in done.values()):
        done = {k: e for k, e in done.items() if not is_infra_failure(e)}
        _rewrite(path, done.values())
    return done


def _rewrite(path: Path, episodes: Iterable[Episode]) -> None:
    """Replaces `path` with `episodes`, atomically (a crash leaves the old file or the new one)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(e.to_json() + "\n" for e in episodes)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class EpisodeWriter:
    """Appends episodes to a JSONL file, each line flushed and fsync'd before `write` (`write_many`) returns.

    Lines come from `Episode.to_json` (`json.dumps` with ASCII escapes: one line that `json.loads` reads back).
    """

    def __init__(self, path: str | os.PathLike[str], *, retry_infra_failures: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.existing = recover(self.path, retry_infra_failures=retry_infra_failures)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def write(self, episode: Episode) -> None:
        """Appends one episode as one line and forces it to disk."""
        self.write_lines([episode.to_json()])

    def write_many(self, episodes: Iterable[Episode]) -> None:
        """Appends episodes, one line each, and forces them to disk once."""
        self.write_lines([episode.to_json() for episode in episodes])

    def write_lines(self, lines: list[str]) -> None:
        """Appends lines written by `Episode.to_json` (one per episode, no newline) and forces them to disk once."""
        if not lines:
            return
        self._file.write("\n".join(lines) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Closes the file."""
        self._file.close()
