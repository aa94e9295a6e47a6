"""A small notes-and-calendar MCP server with state, shipped as the example server of `tools/MCP-v0`.

Run it over stdio with ``python -m agora.envs.tools.mcp.notes_server``. Every process starts
empty; notes and events live in memory until it exits. Ids are assigned 1, 2, 3, ... in order of
creation (notes and events count separately), so a fresh server behaves the same every time.

Tools: ``add_note``, ``list_notes``, ``read_note``, ``delete_note``, ``add_event``,
``list_events``, ``delete_event``. A bad id or date is reported as a tool error. ``reset_state``
empties the server, so one process can serve many episodes (`MCPEnv`'s ``reset_tool`` option
calls it at each reset and hides it from the agent).
"""

from __future__ import annotations

import datetime
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("agora-notes", instructions="Notes and calendar events, kept in memory.", log_level="WARNING")
_notes: dict[int, dict[str, Any]] = {}
_events: dict[int, dict[str, Any]] = {}
_last_id = {"note": 0, "event": 0}


def _new_id(kind: str) -> int:
    _last_id[kind] += 1
    return _last_id[kind]


def _check_date(date: str) -> str:
    try:
        datetime.date.fromisoformat(date)
    except ValueError:
        raise ToolError(f"date must be YYYY-MM-DD, got {date!r}") from None
    return date


def _item(store: dict[int, dict[str, Any]], kind: str, item_id: int) -> dict[str, Any]:
    if item_id not in store:
        raise ToolError(f"no {kind} has id {item_id}")
    return store[item_id]


def _delete(store: dict[int, dict[str, Any]], kind: str, item_id: int) -> str:
    _item(store, kind, item_id)
    del store[item_id]
    return f"deleted {kind} {item_id}"


@server.tool()
def add_note(title: str, body: str, tags: list[str] | None = None) -> dict[str, Any]:
    """Create a note with a title, a body and optional tags; returns the note with its id."""
    note = {"id": _new_id("note"), "title": title, "body": body, "tags": sorted(set(tags or []))}
    _notes[note["id"]] = note
    return note


@server.tool()
def list_notes(tag: str | None = None) -> list[dict[str, Any]]:
    """List notes (id, title, tags), all of them or only those with `tag`."""
    return [{k: n[k] for k in ("id", "title", "tags")} for n in _notes.values() if tag is None or tag in n["tags"]]


@server.tool()
def read_note(note_id: int) -> dict[str, Any]:
    """Read one note in full."""
    return _item(_notes, "note", note_id)


@server.tool()
def delete_note(note_id: int) -> str:
    """Delete a note."""
    return _delete(_notes, "note", note_id)


@server.tool()
def add_event(title: str, date: str, time: str = "") -> dict[str, Any]:
    """Add a calendar event on `date` (YYYY-MM-DD), at an optional `time` (HH:MM)."""
    event = {"id": _new_id("event"), "title": title, "date": _check_date(date), "time": time}
    _events[event["id"]] = event
    return event


@server.tool()
def list_events(date: str | None = None) -> list[dict[str, Any]]:
    """List calendar events, all of them or those on one `date` (YYYY-MM-DD), in date and time order."""
    chosen = [e for e in _events.values() if date is None or e["date"] == _check_date(date)]
    return sorted(chosen, key=lambda e: (e["date"], e["time"], e["id"]))


@server.tool()
def delete_event(event_id: int) -> str:
    """Delete a calendar event."""
    return _delete(_events, "event", event_id)


@server.tool()
def reset_state() -> str:
    """Delete every note and event and restart ids at 1."""
    _notes.clear()
    _events.clear()
    _last_id.update(note=0, event=0)
    return "reset"


if __name__ == "__main__":
    server.run("stdio")
