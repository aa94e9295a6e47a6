"""What a viewer path holds: episode files, tournaments and training runs, found by their files.

* an **episode file**: a ``.jsonl`` whose first line is an `Episode` record (`agora rollout` output,
  a tournament's ``games.jsonl``, a training run's ``episodes.jsonl``);
* a **tournament**: a folder with ``results.json`` (`agora tournament`), its games in ``games.jsonl``;
* a **training run**: a folder with ``metrics.jsonl`` (`agora train`), its episodes in ``episodes.jsonl``.

The path may be any of these or a folder above them (searched `MAX_DEPTH` levels deep, at most
`MAX_ENTRIES` entries). Each source gets a short id from its path relative to the root, so URLs never
carry a file path (nothing outside the served path can be named).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Literal

MAX_DEPTH = 4
MAX_ENTRIES = 20_000
HEAD_BYTES = 64 * 1024
SourceKind = Literal["episodes", "tournament", "training"]


@dataclasses.dataclass(frozen=True)
class Source:
    """One thing to show: its kind, its file or folder, and its id in URLs."""

    kind: SourceKind
    path: Path
    name: str
    """The path relative to the served root (the root's own name for the root itself)."""

    @property
    def sid(self) -> str:
        """A short id for URLs (a hash of the kind and the relative name)."""
        return hashlib.sha256(f"{self.kind}:{self.name}".encode()).hexdigest()[:12]


def discover(root: Path) -> list[Source]:
    """Every source under `root` (a file or a folder), sorted by kind and name."""
    root = root.resolve()
    if root.is_file():
        return [Source("episodes", root, root.name)] if is_episode_file(root) else []
    found: list[Source] = []
    for folder, files in _walk(root):
        rel = folder.relative_to(root).as_posix()
        label = root.name if rel == "." else rel
        if "results.json" in files:
            found.append(Source("tournament", folder, label))
        if "metrics.jsonl" in files:
            found.append(Source("training", folder, label))
        for name in sorted(files):
            path = folder / name
            if name.endswith(".jsonl") and name != "metrics.jsonl" and is_episode_file(path):
                found.append(Source("episodes", path, path.relative_to(root).as_posix()))
    order = {"episodes": 0, "tournament": 1, "training": 2}
    return sorted(found, key=lambda s: (order[s.kind], s.name))


def _walk(root: Path) -> list[tuple[Path, set[str]]]:
    out, seen = [], 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "checkpoints") if depth < MAX_DEPTH else []
        seen += len(files) + len(dirs)
        out.append((here, {f for f in files if not (here / f).is_symlink()}))
        if seen > MAX_ENTRIES:
            break
    return out


def is_episode_file(path: Path) -> bool:
    """Whether the first line of `path` is an `Episode` record (read at most `HEAD_BYTES`)."""
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return False
    line = head.split(b"\n", 1)[0]
    if not line.strip():
        return False
    if b"\n" not in head and len(head) == HEAD_BYTES:  # a long first line: look at its start only
        return line.lstrip().startswith(b'{"episode_id"')
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(data, dict) and "episode_id" in data and isinstance(data.get("turns"), list)
