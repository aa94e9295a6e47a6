"""Tasks for `MCPEnv`: a goal, setup calls, and checks made against the server after the episode.

A task is data (`MCPTask`, validated with pydantic, so a task list can come from JSON):

* ``goal``: what the agent is asked to do;
* ``setup``: tool calls the env makes before the episode (hidden from the agent);
* ``checks``: tool calls the env makes after ``answer``; each passes when its result *contains*
  ``expect`` (dicts: every expected key matches; lists: every expected item matches some item;
  other values: equal) or, with ``exact``, equals it;
* ``answer``: the expected final answer (compared case- and space-insensitively), if any;
* ``solution``: a reference sequence of calls that solves the task (for scripted agents and tests;
  never shown to the agent).

`notes_tasks()` returns the tasks for the shipped notes/calendar server.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agora.tools import ToolCall


class Check(BaseModel):
    """A tool call made after the episode and the result it must contain (or equal)."""

    model_config = ConfigDict(extra="forbid")
    call: ToolCall
    expect: Any
    exact: bool = False


class MCPTask(BaseModel):
    """One goal for an MCP server, with its setup, checks and reference solution."""

    model_config = ConfigDict(extra="forbid")
    goal: str
    setup: list[ToolCall] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    answer: str | None = None
    solution: list[ToolCall] = Field(default_factory=list)


def contains(value: Any, expected: Any) -> bool:
    """True when `value` contains `expected` (the partial match of `Check`)."""
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(k in value and contains(value[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(value, list) and all(any(contains(v, e) for v in value) for e in expected)
    return value == expected


def _call(name: str, **arguments: Any) -> ToolCall:
    return ToolCall(name=name, arguments=arguments)


WORDS = ["budget", "garden", "recipe", "travel", "reading", "repair", "gift", "meeting", "piano", "taxes"]
TAGS = ["home", "work", "ideas", "urgent", "family"]


def _date(rng: random.Random) -> str:
    return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _create_note(rng: random.Random) -> MCPTask:
    title, body, tag = (
        f"{rng.choice(WORDS).title()} plan",
        f"Remember the {rng.choice(WORDS)}.",
        rng.choice(TAGS),
    )
    note = _call("add_note", title=title, body=body, tags=[tag])
    return MCPTask(
        goal=f"Create a note titled '{title}' with the body '{body}' and the tag '{tag}'.",
        checks=[Check(call=_call("list_notes", tag=tag), expect=[{"title": title}])],
        solution=[note, _call("answer", answer="done")],
    )


def _count_events(rng: random.Random) -> MCPTask:
    dates = [_date(rng) for _ in range(3)]
    setup = [
        _call(
            "add_event",
            title=f"{rng.choice(WORDS).title()} {i}",
            date=rng.choice(dates),
            time=f"{rng.randint(8, 18):02d}:00",
        )
        for i in range(rng.randint(3, 7))
    ]
    day = setup[0].arguments["date"]
    count = sum(c.arguments["date"] == day for c in setup)
    return MCPTask(
        goal=f"How many calendar events are there on {day}? Answer with the number.",
        setup=setup,
        answer=str(count),
        solution=[_call("list_events", date=day), _call("answer", answer=str(count))],
    )


def _delete_tagged(rng: random.Random) -> MCPTask:
    tags = [rng.choice(TAGS) for _ in range(5)]
    tags[rng.randrange(5)] = "obsolete"
    setup = [_call("add_note", title=f"Note {i + 1}", body="...", tags=[t]) for i, t in enumerate(tags)]
    keep = [{"title": f"Note {i + 1}"} for i, t in enumerate(tags) if t != "obsolete"]
    deletes = [_call("delete_note", note_id=i + 1) for i, t in enumerate(tags) if t == "obsolete"]
    return MCPTask(
        goal="Delete every note tagged 'obsolete' and keep all the others.",
        setup=setup,
        checks=[
            Check(call=_call("list_notes", tag="obsolete"), expect=[], exact=True),
            Check(call=_call("list_notes"), expect=keep),
        ],
        solution=[_call("list_notes", tag="obsolete"), *deletes, _call("answer", answer="done")],
    )


def _schedule(rng: random.Random) -> MCPTask:
    title, day, time = f"{rng.choice(WORDS).title()} review", _date(rng), f"{rng.randint(8, 18):02d}:30"
    event = _call("add_event", title=title, date=day, time=time)
    return MCPTask(
        goal=f"Schedule an event '{title}' on {day} at {time}.",
        checks=[Check(call=_call("list_events", date=day), expect=[{"title": title, "time": time}])],
        solution=[event, _call("answer", answer="done")],
    )


def _read_body(rng: random.Random) -> MCPTask:
    code = f"{rng.choice(WORDS)}-{rng.randint(100, 999)}"
    setup = [
        _call("add_note", title=f"{w.title()} notes", body=f"The code is {w}-{rng.randint(100, 999)}.")
        for w in rng.sample(WORDS, 3)
    ]
    index = rng.randrange(3)
    setup[index] = _call("add_note", title="Locker", body=f"The code is {code}.")
    return MCPTask(
        goal="What is the code written in the note titled 'Locker'? Answer with the code only.",
        setup=setup,
        answer=code,
        solution=[_call("list_notes"), _call("read_note", note_id=index + 1), _call("answer", answer=code)],
    )


TEMPLATES = (_create_note, _count_events, _delete_tagged, _schedule, _read_body)


def notes_tasks(count: int = 50, seed: int = 0) -> list[MCPTask]:
    """`count` tasks for the shipped notes/calendar server, the same for the same seed."""
    rng = random.Random(seed)
    return [TEMPLATES[i % len(TEMPLATES)](rng) for i in range(count)]
