"""An on-disk index of an episode JSONL: browse 100,000 episodes without reading the file whole.

The index is a SQLite database beside the file (``NAME.jsonl.view.sqlite``; in the user cache when that
folder is read-only). One row per whole line: its byte offset and length, and the columns the viewer
filters and sorts on (env id, agents, status, return, infra failure, invalid moves, training step). An
FTS5 table (contentless: it stores only the index) answers full-text search over observations and actions.

`EpisodeIndex.refresh` reads only what was appended since the last call (from the offset it stopped at),
so a run still being written shows its new episodes on the next page load; a file that shrank or whose
first bytes changed is indexed again from the start. A torn last line (no newline yet) waits for its
newline. Lines are hostile: over `MAX_LINE_BYTES`, not JSON, or not an episode, they are counted as
skipped, never raised.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "2"
MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longer lines are skipped (a record that large is not an episode the viewer can show)."""
MAX_SEARCH_CHARS = 20_000
"""Characters of an episode's observations and actions that full-text search covers."""
READ_CHUNK = 4 * 1024 * 1024
BATCH = 2000
HEAD_BYTES = 4096
"""The first bytes of the file, hashed: a different head means the file was replaced."""
SORTS = {"line": "rowid", "return": "ret", "turns": "n_turns", "env": "env_id", "seed": "seed", "step": "step"}


@dataclasses.dataclass
class Filters:
    """What the episodes table shows: every field optional; `search` is plain words (all must match)."""

    env: str = ""
    agent: str = ""
    agent2: str = ""
    """A second agent that must also have played (a tournament pairing)."""
    status: str = ""
    min_return: float | None = None
    max_return: float | None = None
    infra: bool = False
    invalid: bool = False
    step: int | None = None
    seed: int | None = None
    search: str = ""
    sort: str = "line"
    descending: bool = False


@dataclasses.dataclass
class Row:
    """One indexed episode: where its line is and the columns shown in the table."""

    rowid: int
    offset: int
    length: int
    episode_id: str
    env_id: str
    agents: str
    seed: int | None
    status: str
    infra: bool
    invalid: int
    n_turns: int
    ret: float
    step: int | None
    error: str
    lineup: str
    """Each seat's agent and return, in seat order (``"minimax +1, random -1"``)."""


def index_path(jsonl: Path) -> Path:
    """Where the index of `jsonl` lives: beside it, or in the user cache when its folder is read-only."""
    beside = jsonl.with_name(jsonl.name + ".view.sqlite")
    if os.access(jsonl.parent, os.W_OK) and (not beside.exists() or os.access(beside, os.W_OK)):
        return beside
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agora" / "view"
    cache.mkdir(parents=True, exist_ok=True)
    return cache / (hashlib.sha256(str(jsonl.resolve()).encode()).hexdigest()[:24] + ".sqlite")


class EpisodeIndex:
    """The index of one episode JSONL (see the module docs); safe to share between threads."""

    def __init__(self, jsonl: str | os.PathLike[str]):
        self.path = Path(jsonl)
        self.db_path = index_path(self.path)
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        """Answers that scan every row (menus, per-env summary), kept until rows are added."""
        self._db = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None, timeout=120)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._create()

    def _create(self) -> None:
        db = self._db
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        if self._meta("version") != SCHEMA_VERSION:
            db.executescript("DROP TABLE IF EXISTS episodes; DROP TABLE IF EXISTS episode_text; DELETE FROM meta;")
        db.execute(
            "CREATE TABLE IF NOT EXISTS episodes (rowid INTEGER PRIMARY KEY, offset INTEGER, length INTEGER, "
            "episode_id TEXT, env_id TEXT, agents TEXT, seed INTEGER, status TEXT, infra INTEGER, "
            "invalid INTEGER, n_turns INTEGER, ret REAL, step INTEGER, error TEXT, lineup TEXT)"
        )
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS episode_text USING fts5(text, content='', detail=none)")
        for column in ("env_id", "ret", "status", "step", "seed", "n_turns"):
            db.execute(f"CREATE INDEX IF NOT EXISTS episodes_{column} ON episodes ({column})")
        self._set_meta(version=SCHEMA_VERSION)

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, **values: Any) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in values.items()]
        )

    def close(self) -> None:
        """Closes the database."""
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ indexing
    def refresh(self) -> int:
        """Indexes the lines appended since the last call; returns how many episodes were added."""
        with self._lock:
            try:
                size = self.path.stat().st_size
            except OSError:
                return 0
            offset = int(self._meta("offset") or 0)
            head_len = int(self._meta("head_len") or 0)
            if size < offset or (offset and self._meta("head") != _head_hash(self.path, head_len)):
                self._db.executescript("DROP TABLE episodes; DROP TABLE episode_text; DELETE FROM meta;")
                self._cache.clear()
                self._create()
                offset = 0
            if size == offset:
                return 0
            self._cache.clear()
            return self._index_from(offset)

    def _index_from(self, offset: int) -> int:
        added, skipped = 0, int(self._meta("skipped") or 0)
        db = self._db
        db.execute("BEGIN")
        try:
            rows, texts = [], []
            for line_offset, length, line in _whole_lines(self.path, offset):
                offset = line_offset + length
                parsed = _columns(line) if line is not None else None
                if parsed is None:
                    skipped += line is None or line.strip() != b""
                    continue
                columns, text = parsed
                rows.append((line_offset, length, *columns))
                texts.append(text)
                if len(rows) >= BATCH:
                    added += self._insert(rows, texts)
                    rows, texts = [], []
            added += self._insert(rows, texts)
            head_len = min(offset, HEAD_BYTES)
            self._set_meta(offset=offset, head=_head_hash(self.path, head_len), head_len=head_len, skipped=skipped)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return added

    def _insert(self, rows: list[tuple[Any, ...]], texts: list[str]) -> int:
        if not rows:
            return 0
        db = self._db
        first = (db.execute("SELECT coalesce(max(rowid), 0) FROM episodes").fetchone()[0]) + 1
        ids = range(first, first + len(rows))
        db.executemany(
            "INSERT INTO episodes (rowid, offset, length, episode_id, env_id, agents, seed, status, infra, invalid, "
            "n_turns, ret, step, error, lineup) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, *row) for i, row in zip(ids, rows, strict=True)],
        )
        db.executemany("INSERT INTO episode_text (rowid, text) VALUES (?, ?)", zip(ids, texts, strict=True))
        return len(rows)

    # ------------------------------------------------------------------ reading
    def _cached(self, key: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query that scans the table, from the cache while no rows were added."""
        with self._lock:
            if key not in self._cache:
                if len(self._cache) > 1000:
                    self._cache.clear()
                self._cache[key] = self._db.execute(sql, params).fetchall()
            return self._cache[key]

    def count(self) -> int:
        """Episodes indexed."""
        return self._cached("count", "SELECT count(*) FROM episodes")[0][0]

    def skipped(self) -> int:
        """Lines that were not episodes (malformed, too long)."""
        with self._lock:
            return int(self._meta("skipped") or 0)

    def query(self, filters: Filters, *, page: int = 1, per_page: int = 50) -> tuple[list[Row], int]:
        """One page of the episodes that pass `filters`, and how many pass in all."""
        where, params = _where(filters)
        order = SORTS.get(filters.sort, "rowid")
        direction = "DESC" if filters.descending else "ASC"
        page, per_page = max(1, page), max(1, min(per_page, 500))
        key = "total:" + json.dumps([where, params])
        total = self._cached(key, f"SELECT count(*) FROM episodes {where}", params)[0][0]
        with self._lock:
            order_by = f"ORDER BY {order} {direction}, rowid {direction}"  # one direction: SQLite walks the index
            cursor = self._db.execute(
                f"SELECT {_ROW_COLUMNS} FROM episodes {where} {order_by} LIMIT ? OFFSET ?",
                [*params, per_page, (page - 1) * per_page],
            )
            return [Row(*r) for r in cursor.fetchall()], total

    def row(self, rowid: int) -> Row | None:
        """The indexed row `rowid`, or None."""
        with self._lock:
            r = self._db.execute(f"SELECT {_ROW_COLUMNS} FROM episodes WHERE rowid = ?", (rowid,)).fetchone()
        return Row(*r) if r else None

    def read(self, row: Row) -> bytes:
        """The line of `row` as it is in the file (one seek and one read)."""
        with open(self.path, "rb") as f:
            f.seek(row.offset)
            return f.read(min(row.length, MAX_LINE_BYTES))

    def distinct(self, column: str) -> list[str]:
        """The distinct values of ``env_id`` or ``status`` (at most 200), for the filter menus."""
        if column not in ("env_id", "status"):
            raise ValueError(f"no menu for column {column!r}")
        return [r[0] for r in self._cached(column, f"SELECT DISTINCT {column} FROM episodes LIMIT 200")]

    def agents(self) -> list[str]:
        """The distinct agent names (at most 200)."""
        values = self._cached("agents", "SELECT DISTINCT agents FROM episodes LIMIT 200")
        return sorted({name for (names,) in values for name in names.split("\n") if name})

    def summary(self) -> list[dict[str, Any]]:
        """Per env id: episodes, successes (return > 0), failures, infra failures, mean return."""
        rows = self._cached(
            "summary",
            "SELECT env_id, count(*), sum(ret > 0), sum(status != 'ok'), sum(infra), avg(ret), "
            "sum(invalid > 0) FROM episodes GROUP BY env_id ORDER BY env_id LIMIT 500",
        )
        keys = ("env_id", "episodes", "successes", "failed", "infra", "mean_return", "with_invalid")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def returns(self, env_id: str | None = None, limit: int = 100_000) -> list[float]:
        """Returns of ok episodes (of one env id), for histograms."""
        clause, params = ("AND env_id = ?", [env_id]) if env_id else ("", [])
        with self._lock:
            cursor = self._db.execute(
                f"SELECT ret FROM episodes WHERE status = 'ok' {clause} LIMIT ?", [*params, limit]
            )
            return [r[0] for r in cursor]

    def steps(self) -> dict[int, dict[str, Any]]:
        """Per training step (``meta["step"]``): episodes, mean return and invalid moves."""
        rows = self._cached(
            "steps",
            "SELECT step, count(*), avg(ret), sum(invalid) FROM episodes WHERE step IS NOT NULL "
            "GROUP BY step ORDER BY step LIMIT 5000",
        )
        return {s: {"episodes": c, "mean_return": m, "invalid": i} for s, c, m, i in rows}

    def seeds(self, env_id: str, limit: int = 2000) -> list[int]:
        """The seeds of an env id's episodes."""
        with self._lock:
            cursor = self._db.execute(
                "SELECT DISTINCT seed FROM episodes WHERE env_id = ? AND seed IS NOT NULL LIMIT ?", (env_id, limit)
            )
            return [r[0] for r in cursor]


_ROW_COLUMNS = (
    "rowid, offset, length, episode_id, env_id, agents, seed, status, infra, invalid, n_turns, ret, step, error, lineup"
)


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("env_id = ?", filters.env or None),
        ("status = ?", filters.status or None),
        ("ret >= ?", filters.min_return),
        ("ret <= ?", filters.max_return),
        ("step = ?", filters.step),
        ("seed = ?", filters.seed),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    for agent in (filters.agent, filters.agent2):
        if agent:
            clauses.append("instr(char(10) || agents || char(10), char(10) || ? || char(10)) > 0")
            params.append(agent)
    if filters.infra:
        clauses.append("infra = 1")
    if filters.invalid:
        clauses.append("invalid > 0")
    match = fts_query(filters.search)
    if match:
        clauses.append("rowid IN (SELECT rowid FROM episode_text WHERE episode_text MATCH ?)")
        params.append(match)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def fts_query(text: str) -> str:
    """Plain words as an FTS5 query: every token must occur (cut as the index cuts them: letters and digits).

    Tokens are quoted one by one, so no FTS syntax gets through; ``sqlite_master`` asks for both
    ``sqlite`` and ``master`` (the index keeps no positions: it answers AND, not phrases).
    """
    tokens = _TOKEN.findall(text[:MAX_QUERY_CHARS])[:MAX_QUERY_TOKENS]
    return " AND ".join(f'"{token}"' for token in tokens)


_TOKEN = re.compile(r"[^\W_]+")
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 20


def _head_hash(path: Path, length: int) -> str:
    """The hash of the file's first `length` bytes (those indexed: a change there means a new file)."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read(length)).hexdigest()


def _whole_lines(path: Path, offset: int) -> Iterator[tuple[int, int, bytes | None]]:
    """(offset, length, line with its newline) for each whole line from `offset`; None for a line over the cap."""
    with open(path, "rb") as f:
        f.seek(offset)
        pending, start = b"", offset
        while True:
            chunk = f.read(READ_CHUNK)
            if not chunk:
                return
            pending += chunk
            cut = pending.rfind(b"\n") + 1
            if not cut:
                if len(pending) > MAX_LINE_BYTES:  # a giant line: skip it without holding it
                    yield from _skip_long(f, start, pending)
                    pending, start = b"", f.tell()
                continue
            for line in pending[: cut - 1].split(b"\n"):
                yield start, len(line) + 1, (line if len(line) <= MAX_LINE_BYTES else None)
                start += len(line) + 1
            pending = pending[cut:]


def _skip_long(f: Any, start: int, pending: bytes) -> Iterator[tuple[int, int, bytes | None]]:
    """Reads past the end of an over-long line and reports it (offset, length, None) without holding it."""
    length = len(pending)
    while True:
        chunk = f.read(READ_CHUNK)
        if not chunk:
            return  # still being written: it waits for its newline
        newline = chunk.find(b"\n")
        if newline >= 0:
            f.seek(f.tell() - len(chunk) + newline + 1)
            yield start, length + newline + 1, None
            return
        length += len(chunk)


def _loads() -> Any:
    """The parser of orjson when installed (three times faster on records), else the standard library's."""
    try:
        import orjson

        return orjson.loads
    except ImportError:
        return json.loads


_parse = _loads()


def _columns(line: bytes) -> tuple[tuple[Any, ...], str] | None:
    """The indexed columns and the searchable text of one line, or None when it is not an episode."""
    try:
        data = _parse(line)
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list) or "episode_id" not in data:
        return None
    turns = [t for t in data["turns"] if isinstance(t, dict)]
    returns: dict[str, Any] = data["returns"] if isinstance(data.get("returns"), dict) else {}
    agents: dict[str, Any] = data["agents"] if isinstance(data.get("agents"), dict) else {}
    meta: dict[str, Any] = data["meta"] if isinstance(data.get("meta"), dict) else {}
    columns = (
        _text(data.get("episode_id"), 500),
        _text(data.get("env_id"), 200),
        "\n".join(sorted({_text(v, 200) for v in agents.values()})),
        _int(data.get("seed")),
        _text(data.get("status"), 20),
        int(data.get("status") == "failed" and bool(meta.get("infra_failure"))),
        sum(1 for t in turns if t.get("valid") is False),
        len(turns),
        float(sum(float(v) for v in returns.values() if isinstance(v, (int, float)))),
        _int(meta.get("step")),
        _text(data.get("error") or "", 500),
        _lineup(agents, returns),
    )
    return columns, _search_text(turns)


def _lineup(agents: dict[str, Any], returns: dict[str, Any]) -> str:
    parts = []
    for seat in list(dict.fromkeys([*agents, *returns]))[:20]:
        ret = returns.get(seat)
        score = f" {ret:+g}" if isinstance(ret, (int, float)) and not isinstance(ret, bool) else ""
        parts.append(_text(agents.get(seat, seat), 100) + score)
    return ", ".join(parts)


def _search_text(turns: Sequence[dict[str, Any]]) -> str:
    parts, size = [], 0
    for turn in turns:
        for key in ("observation", "action"):
            value = turn.get(key)
            if isinstance(value, str) and size < MAX_SEARCH_CHARS:
                parts.append(value[: MAX_SEARCH_CHARS - size])
                size += len(parts[-1])
    return "\n".join(parts)


def _text(value: Any, limit: int) -> str:
    return ("" if value is None else str(value))[:limit]


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
        return None
    return value
