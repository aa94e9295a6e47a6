"""Task templates of the real web apps: instances drawn from the seeded state, graders that are programs.

A `Template` has a kind (``answer``, ``change`` or ``navigate``), the apps it uses, and two functions:
``instances(dbs)`` lists every instance it can pose from the seeded databases (read-only), and ``check``
grades an episode: for ``answer`` the normalised answer must equal one of the instance's accepted answers;
for ``change`` ``check(ctx)`` queries the episode's own database copies; for ``navigate`` it reads the final
URL. ``plan`` gives the oracle's steps (`Step`s: go to a path, fill a field, click, answer), which the
oracle carries out through the env's own actions. No LLM, no fuzzy match.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

KINDS = ("answer", "change", "navigate")
MAX_ANSWER_CHARS = 500


@dataclass(frozen=True)
class Instance:
    """One posed task: its text, its parameters, and (answer tasks) the accepted answers."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One oracle step: ``goto`` a path, ``type``/``select`` into the field whose line matches, ``click``, ``answer``.

    `pattern` is a regular expression matched against the lines of the text observation (``[id] role
    "name" ...``); `app` names the app whose origin a ``goto`` path is on (default: the template's first).
    """

    op: str
    pattern: str = ""
    value: str = ""
    app: str = ""


@dataclass
class Episode:
    """What a grader sees after the episode: each app's database copy and the page's final URL."""

    dbs: dict[str, Path]
    url: str
    origins: dict[str, str]

    def db(self, app: str) -> sqlite3.Connection:
        """A read-only connection to the episode's copy of `app`'s database."""
        return sqlite3.connect(f"file:{self.dbs[app]}?mode=ro", uri=True)

    def query(self, app: str, sql: str, *args: Any) -> list[tuple]:
        """Rows of one query on the episode's copy of `app`'s database."""
        db = self.db(app)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def location(self) -> tuple[str | None, str, dict[str, str]]:
        """(app the page is on or None, path, query parameters) of the final URL."""
        parts = urlsplit(self.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        app = next((a for a, o in self.origins.items() if o == origin), None)
        return app, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}


@dataclass(frozen=True)
class Template:
    """A task template (see the module docs)."""

    name: str
    kind: str
    apps: tuple[str, ...]
    start: str
    instances: Callable[[dict[str, sqlite3.Connection]], list[Instance]]
    plan: Callable[[Instance], list[Step]]
    check: Callable[[Episode, Instance], bool] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"template {self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if (self.kind == "answer") == (self.check is not None):
            raise ValueError(f"template {self.name}: answer templates take accepted answers, others a check")


def normalise(text: str) -> str:
    """An answer in canonical form (what `answer_matches` compares).

    NFKC, lower case, single spaces, no surrounding quotes or final period; numbers without thousands
    separators or trailing zeros; dates as ISO ``YYYY-MM-DD``.
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)[:MAX_ANSWER_CHARS]).strip()
    for _ in range(2):  # quotes around a final period, or a period after quotes
        text = text.strip().rstrip(".").strip().strip("\"'`")
    text = text.strip().lower()
    date = _date(text)
    if date is not None:
        return date
    number = re.fullmatch(r"[-+]?\$?[0-9][0-9,]*(\.[0-9]+)?", text)
    if number:
        digits = text.replace(",", "").replace("$", "")
        value = float(digits) if "." in digits else int(digits)
        return f"{value:g}" if isinstance(value, float) else str(value)
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%b. %d, %Y", "%d/%m/%Y")


def _date(text: str) -> str | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def answer_matches(given: str, accepted: tuple[str, ...]) -> bool:
    """Whether `given` equals one of `accepted` after `normalise`."""
    return normalise(given) in {normalise(a) for a in accepted}


def read_then_answer(path: Callable[[Instance], str]) -> Callable[[Instance], list[Step]]:
    """An oracle plan for a question: open the page that shows the fact (`path` of the instance), then answer."""
    return lambda inst: [Step("goto", value=path(inst)), Step("answer", value=inst.answers[0])]


def goto_then_done(path: Callable[[Instance], str]) -> Callable[[Instance], list[Step]]:
    """An oracle plan for a navigation task: open `path` of the instance, then end with ``answer("")``."""
    return lambda inst: [Step("goto", value=path(inst)), Step("answer")]
