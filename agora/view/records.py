"""An episode record as the episode page shows it.

Turns with their parsed calls, screenshots, clicks, returns, advantages, errors, token counts, and the
SWE diffs at the end.

Records are hostile: every text is capped (`MAX_TEXT_CHARS`), a screenshot must be a PNG data URL
whose header gives its size, and nothing here raises on a field of the wrong type (it is shown as
missing instead). The templates escape everything (Jinja autoescape).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from typing import Any

from agora.tools import ToolCallError, decode_json, tool_call_from

MAX_TEXT_CHARS = 100_000
MAX_INFO_CHARS = 20_000
MAX_TURNS_SHOWN = 2000
PNG_PREFIX = "data:image/png;base64,"
_POINTER = re.compile(r"\b(click|double_click|right_click|move|scroll|drag)\s*\(\s*(-?\d{1,5})\s*,\s*(-?\d{1,5})")
_DRAG_END = re.compile(r"\bdrag\s*\(\s*-?\d{1,5}\s*,\s*-?\d{1,5}\s*,\s*(-?\d{1,5})\s*,\s*(-?\d{1,5})")
_SHOWN_INFO_SKIP = ("screenshot", "advantage", "final_info", "completion_text", "agent_error", "parse_error", "error")


def parse_record(raw: bytes) -> dict[str, Any]:
    """The JSON object of one line; raises ValueError when it is not one."""
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("the line is not a JSON object")
    return data


def cap(value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    """A text for the page, cut at `limit` characters with a note saying how much was cut."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit:,} more characters not shown)"


def dump(value: Any, limit: int = MAX_INFO_CHARS) -> str:
    """Indented JSON of a value, capped."""
    try:
        text = json.dumps(value, indent=1, sort_keys=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return cap(text, limit)


def episode_view(data: dict[str, Any]) -> dict[str, Any]:
    """What the episode page needs from a record."""
    turns = [t for t in _list(data.get("turns")) if isinstance(t, dict)]
    running: dict[str, float] = {}
    shown = [turn_view(t, running) for t in turns[:MAX_TURNS_SHOWN]]
    final = _dict(_dict(data.get("meta")).get("final_info"))  # the last step's outcome (agora.rollout.episode)
    return {
        "episode_id": cap(data.get("episode_id"), 500),
        "env_id": cap(data.get("env_id"), 200),
        "seed": data.get("seed") if isinstance(data.get("seed"), int) else None,
        "group_id": cap(data.get("group_id"), 500),
        "status": cap(data.get("status"), 20),
        "error": cap(data.get("error") or "", 5000),
        "traceback": cap(data.get("traceback") or "", 20_000),
        "agents": {cap(k, 200): cap(v, 200) for k, v in _dict(data.get("agents")).items()},
        "returns": {cap(k, 200): _float(v) for k, v in _dict(data.get("returns")).items()},
        "terminated": bool(data.get("terminated")),
        "truncated": bool(data.get("truncated")),
        "timings": {cap(k, 100): _float(v) for k, v in _dict(data.get("timings")).items()},
        "meta": dump(data.get("meta") or {}, 5000),
        "infra": bool(_dict(data.get("meta")).get("infra_failure")),
        "turns": shown,
        "turns_total": len(turns),
        "final": final,
        "agent_patch": cap(final.get("agent_patch") or "", 50_000) if final else "",
        "bug_patch": cap(final.get("bug_patch") or "", 50_000) if final else "",
        "final_json": dump({k: v for k, v in final.items() if k not in ("agent_patch", "bug_patch")}) if final else "",
        "tokens": {
            "prompt": sum(t["prompt_tokens"] or 0 for t in shown),
            "completion": sum(t["completion_tokens"] or 0 for t in shown),
        }
        if any(t["completion_tokens"] is not None for t in shown)
        else None,
    }


def turn_view(turn: dict[str, Any], running: dict[str, float]) -> dict[str, Any]:
    """One turn for the page; `running` holds each agent's return so far (updated)."""
    info = _dict(turn.get("info"))
    agent = cap(turn.get("agent_id"), 200)
    reward = _float(turn.get("reward")) or 0.0
    running[agent] = running.get(agent, 0.0) + reward
    action = cap(turn.get("action"))
    prompt, completion = _list_or_none(turn.get("prompt_token_ids")), _list_or_none(turn.get("completion_token_ids"))
    logprobs = [x for x in _list(turn.get("completion_logprobs")) if isinstance(x, (int, float))]
    screenshot = screenshot_view(info.get("screenshot"), action)
    return {
        "agent_id": agent,
        "index": turn.get("turn_index") if isinstance(turn.get("turn_index"), int) else None,
        "observation": cap(turn.get("observation")),
        "screenshot": screenshot,
        "action": action,
        "completion_text": cap(info.get("completion_text") or ""),
        "call": parsed_call(action),
        "reward": reward,
        "return_so_far": running[agent],
        "advantage": _float(info.get("advantage")),
        "valid": turn.get("valid") is not False,
        "errors": [
            (label, cap(info[key], 5000))
            for key, label in (("agent_error", "agent error"), ("parse_error", "parse error"), ("error", "env error"))
            if info.get(key)
        ],
        "prompt_tokens": len(prompt) if prompt is not None else None,
        "completion_tokens": len(completion) if completion is not None else None,
        "mean_logprob": sum(logprobs) / len(logprobs) if logprobs else None,
        "latency_s": _float(turn.get("latency_s")),
        "info_json": dump({k: v for k, v in info.items() if k not in _SHOWN_INFO_SKIP}) if info else "",
    }


def parsed_call(action: str) -> dict[str, str] | None:
    """A JSON tool call in the action, as its name and indented arguments; None when it is not one."""
    call = _tool_call(action)
    return None if call is None else {"name": call.name[:200], "arguments": dump(call.arguments)}


def _tool_call(action: str) -> Any:
    stripped = action.strip()
    if not stripped.startswith("{") or len(stripped) > MAX_INFO_CHARS:
        return None
    try:
        return tool_call_from(decode_json(stripped))
    except (ToolCallError, ValueError, TypeError, RecursionError):
        return None


def screenshot_view(value: Any, action: str) -> dict[str, Any] | None:
    """A screenshot's data URL, size and the pointer positions of the action (drawn over it); None if bad."""
    if not isinstance(value, str) or not value.startswith(PNG_PREFIX) or len(value) > 20_000_000:
        return None
    size = png_size(value[len(PNG_PREFIX) :])
    if size is None:
        return None
    width, height = size
    return {"url": value, "width": width, "height": height, "points": pointer_points(action)}


def png_size(b64: str) -> tuple[int, int] | None:
    """(width, height) from a base64 PNG's header; None when it is not a PNG."""
    try:
        head = base64.b64decode(b64[:44], validate=True)
    except (binascii.Error, ValueError):
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return (width, height) if 0 < width <= 10_000 and 0 < height <= 10_000 else None


def pointer_points(action: str) -> list[tuple[int, int]]:
    """Where a pixel action points: ``click(x, y)``-style text or a JSON call with ``x``/``y`` arguments."""
    call = _tool_call(action)
    if call is not None:
        args = call.arguments if isinstance(call.arguments, dict) else {}
        pairs = [(args.get(a), args.get(b)) for a, b in (("x", "y"), ("x1", "y1"), ("x2", "y2"))]
        return [(int(x), int(y)) for x, y in pairs if _is_int(x) and _is_int(y)]  # type: ignore[arg-type]
    points = [(int(m.group(2)), int(m.group(3))) for m in _POINTER.finditer(action[:2000])][:4]
    end = _DRAG_END.search(action[:2000])
    if end:
        points.append((int(end.group(1)), int(end.group(2))))
    return points


def diff_lines(patch: str) -> list[tuple[str, str]]:
    """A unified diff as (css class, line) pairs: added, removed, hunk header or context."""
    out = []
    for line in patch.splitlines()[:5000]:
        kind = "ctx"
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        out.append((kind, line))
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 100_000


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _list_or_none(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None
