"""A read-only SQLite connection with a time limit, enforced by SQLite itself.

Three layers: the file is opened with ``mode=ro`` (SQLite refuses every write), an authorizer
allows only reading actions (no ATTACH, PRAGMA writes, temp tables or triggers), and a progress
handler interrupts a statement that runs past ``timeout_s``.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}


MAX_VALUE_BYTES = 100_000
"""The largest string or blob a query may build (SQLite's SQLITE_LIMIT_LENGTH)."""
MAX_SQL_CHARS = 100_000
MAX_RESULT_CHARS = 2_000_000
"""The most characters of values a query's rows may hold in all; a bigger result is an error."""


class QueryError(Exception):
    """A query failed: a syntax error, a refused write, or the time limit; the message says which."""


def _authorizer(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


class ReadOnlyDatabase:
    """Runs queries on an SQLite file that cannot be written, each within `timeout_s`."""

    def __init__(
        self, path: str, *, timeout_s: float = 1.0, max_rows: int = 10_000, max_result_chars: int = MAX_RESULT_CHARS
    ):
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.max_result_chars = max_result_chars
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        # SQLite refuses to build a value over the limit (zeroblob(1e8), printf('%.*c', 3e8, 'x')): the
        # result is cut before it exists, not after it filled the host's memory
        self._conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        self._conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_CHARS)
        self._conn.set_authorizer(_authorizer)
        self._deadline = 0.0
        self._conn.set_progress_handler(self._over_time, 1000)

    def _over_time(self) -> int:
        return int(time.monotonic() > self._deadline)

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        """Runs one statement; returns (column names, at most `max_rows` rows) or raises `QueryError`."""
        self._deadline = time.monotonic() + self.timeout_s
        try:
            cursor = self._conn.execute(sql)
            rows = self._fetch(cursor)
        except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError, MemoryError) as e:
            raise QueryError(self._explain(e)) from e
        columns = [d[0] for d in cursor.description or []]
        return columns, rows

    def _fetch(self, cursor: sqlite3.Cursor) -> list[tuple]:
        """At most `max_rows` rows, fetched in chunks; QueryError once they pass `max_result_chars`."""
        rows: list[tuple] = []
        size = 0
        while len(rows) < self.max_rows:
            chunk = cursor.fetchmany(min(100, self.max_rows - len(rows)))
            if not chunk:
                break
            size += sum(len(v) if isinstance(v, (str, bytes)) else 8 for row in chunk for v in row)
            if size > self.max_result_chars:
                raise QueryError(
                    f"the result is larger than {self.max_result_chars} characters; select fewer rows or columns"
                )
            rows += chunk
        return rows

    def _explain(self, error: Exception) -> str:
        message = str(error)
        if "interrupted" in message:
            return f"the query ran longer than {self.timeout_s} s and was stopped"
        if "not authorized" in message or "readonly" in message:
            return f"only read-only queries are allowed ({message})"
        return message

    def close(self) -> None:
        """Closes the connection."""
        self._conn.close()


def format_table(columns: list[str], rows: list[tuple], limit: int = 20) -> str:
    """Query results as a small text table (at most `limit` rows, then a count of the rest)."""
    if not columns:
        return "(no result set)"
    lines = [" | ".join(columns)] + [" | ".join("NULL" if v is None else str(v) for v in row) for row in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"... ({len(rows)} rows in all, {limit} shown)")
    elif not rows:
        lines.append("(0 rows)")
    return "\n".join(lines)
