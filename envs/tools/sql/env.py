"""Text-to-SQL over seeded SQLite databases, with execution-match rewards and partial credit.

**Task.** Each episode builds a database from the seed with one of three schemas (``shop``,
``school``, ``library``: realistic tables joined by foreign keys) and asks a question about it.
The first observation shows the question and the schema (``CREATE TABLE`` statements).

**Tools** (listed in ``info["tools"]``; call one per reply as JSON,
``{"name": "sql", "arguments": {"query": "SELECT ..."}}``):

* ``sql(query)``: runs a read-only query and shows up to 20 rows of its result. Writes are refused
  by SQLite itself (the file is opened read-only, an authorizer allows only reads) and a query
  running longer than ``timeout_s`` (1 s) is stopped; both come back as error observations.
* ``answer(query)``: submits the final query and ends the episode.

**Rewards.** ``answer`` scores the final query by execution match against the gold query: 1.0 for
the same result; otherwise partial credit ``0.3 * columns + 0.5 * rows`` (see
``agora.envs.tools.sql.scoring``); 0 for a query that fails. ``info["score"]`` gives the
components. ``sql`` calls earn 0; a malformed call or an unknown tool earns -0.1.

**Options** (``reset(options=...)``): ``schema`` (one of the three) to fix the schema.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from agora.envs.tools.base import ToolEnv, ToolResult, answer_spec
from agora.envs.tools.sql.database import QueryError, ReadOnlyDatabase, format_table
from agora.envs.tools.sql.questions import make_question
from agora.envs.tools.sql.schemas import DDL, SCHEMAS, build_database
from agora.envs.tools.sql.scoring import is_ordered, score_result
from agora.tools import ToolCall, tool_spec

_QUERY = {
    "type": "object",
    "properties": {"query": {"type": "string", "description": "one SQLite SELECT statement"}},
    "required": ["query"],
    "additionalProperties": False,
}
TOOLS = [
    tool_spec("sql", "Run a read-only SQLite query on the database and see up to 20 rows of its result.", _QUERY),
    answer_spec("Submit the final SQL query that answers the question; ends the episode.", _QUERY),
]
INSTRUCTIONS = (
    "Answer the question with an SQLite query over the database below. Call one tool per reply as one JSON "
    'object, e.g. {"name": "sql", "arguments": {"query": "SELECT COUNT(*) FROM customers"}}. Use `sql` to '
    "explore (read-only), then `answer` with your final query. The final query is scored by executing it: "
    "its result must equal the correct result (column names do not matter; row order only when the "
    "question asks for an order). Partial credit for right columns and rows."
)


class SQLEnv(ToolEnv):
    """Text-to-SQL with tools (see the module docs for the task, tools and rewards)."""

    def __init__(self, schemas: tuple[str, ...] = SCHEMAS, timeout_s: float = 1.0, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        unknown = set(schemas) - set(SCHEMAS)
        if unknown or not schemas:
            raise ValueError(f"schemas must be a non-empty subset of {SCHEMAS}, got {schemas!r}")
        self.schemas = tuple(schemas)
        self.timeout_s = timeout_s
        self._dir = Path(tempfile.mkdtemp(prefix="agora-sql-"))
        self._remove_dir = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)
        self._db: ReadOnlyDatabase | None = None
        self.question = self.gold_query = self.schema = ""
        self._last_db_seed = 0

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        seed = int(self.np_random.integers(2**31))
        rng = random.Random(seed)
        self.schema = options.get("schema") or rng.choice(self.schemas)
        if self.schema not in SCHEMAS:
            raise ValueError(f"options['schema'] must be one of {SCHEMAS}, got {self.schema!r}")
        self._close_db()
        path = self._dir / "db.sqlite"
        path.unlink(missing_ok=True)
        rows = build_database(str(path), self.schema, seed)
        self._last_db_seed = seed
        self._db = ReadOnlyDatabase(str(path), timeout_s=self.timeout_s)
        self.question, self.gold_query = make_question(self.schema, rows, rng)
        self._set_tools(TOOLS)
        observation = f"Question: {self.question}\n\nDatabase schema ({self.schema}):{DDL[self.schema]}"
        return observation, self._info(instructions=INSTRUCTIONS)

    def _call_tool(self, call: ToolCall) -> ToolResult:
        query = call.arguments["query"]
        if call.name == "sql":
            try:
                columns, rows = self._db.query(query)
            except QueryError as e:
                return self.tool_failed(str(e))
            return format_table(columns, rows), 0.0, False, {}
        return self._final(query)

    def _final(self, query: str) -> ToolResult:
        gold_columns, gold_rows = self._db.query(self.gold_query)
        try:
            columns, rows = self._db.query(query)
        except QueryError as e:
            score = {"match": 0.0, "columns": 0.0, "rows": 0.0, "reward": 0.0}
            return f"Your final query failed: {e}. Score 0.", 0.0, True, {"error": str(e), "score": score}
        score = score_result(rows, len(columns), gold_rows, len(gold_columns), is_ordered(self.gold_query))
        verdict = "correct" if score["match"] else "not the expected result"
        return f"Final query {verdict}. Score {score['reward']:.2f}.", score["reward"], True, {"score": score}

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def close(self) -> None:
        """Closes the database and removes its temporary directory."""
        self._close_db()
        self._remove_dir()
