"""A hostile corpus through every registered env id: nothing raises, no step is slow, observations stay capped.

A policy under RL emits anything. Each env (games through the single-agent adapter) is reset and then
stepped with every text of `CORPUS` (encodings, sizes, nesting, numbers, markup) and, for envs with tools,
calls of its own tools with wrong types, hostile values and output bombs. The contract: the only exception
is the documented `TypeError` for an action that is not a `str`; no step takes 10 s; every observation lies
in the observation space (so within its ``max_length``); and the env resets and steps afterwards.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from pettingzoo import AECEnv

import agora

STEP_LIMIT_S = 10.0
FAMILY_MARKS = {
    "web": [pytest.mark.browser],
    "gui": [pytest.mark.browser],
    "code": [pytest.mark.docker],
    "desktop": [pytest.mark.docker],
}
SLOW_FAMILIES = {"web", "gui", "code", "text", "tools", "desktop"}
DOCKER_IDS = {"tools/PythonCalc-v0"}
MINIWOB_SAMPLE = {
    "web/miniwob.click-button-v0",
    "web/miniwob.enter-text-v0",
    "web/miniwob.login-user-v0",
    "web/miniwob.choose-list-v0",
    "web/miniwob.book-flight-v0",
    "web/miniwob.use-autocomplete-v0",
    "gui/miniwob.click-button-v0",
    "gui/miniwob.enter-text-v0",
    "gui/miniwob.drag-box-v0",
}
"""The MiniWoB++ ids run by default: the 142 share one parser and browser path (``AGORA_HOSTILE_ALL=1`` runs all)."""
WEBAPP_SAMPLE = {
    "web/helpdesk.close-ticket-v0",
    "web/wiki.set-project-status-v0",
    "web/cms.rename-page-v0",
    "web/store.set-stock-v0",
    "web/forum.lock-topic-v0",
}
"""The real-web-app ids run by default: one per app; an app's templates share one env class, parser and
browser path, and differ only in their grader (``AGORA_HOSTILE_ALL=1`` runs all)."""
DESKTOP_SAMPLE = {"desktop/xterm.count-lines-v0"}
"""The desktop ids run by default: the 100+ share one env class, parser and sandbox path (``AGORA_HOSTILE_ALL=1``)."""


def _corpus() -> list[str]:
    deep = "[" * 10_000
    return [
        "",
        " ",
        "\x00",
        "\udcff",
        "a\udcffb",
        "\ud83d",
        "\U0001f600" * 1000,
        "\u202e\u200b\u0301" * 500,
        "\r\n" * 2000,
        "\t\x0b\x0c",
        "\x1b[31mred\x1b[0m",
        deep,
        "]" * 10_000,
        "{" * 10_000,
        '"' * 10_000,
        "(" * 10_000,
        "<" * 10_000,
        "[" + "9" * 5000 + "]",
        "[²]",
        "[٣]",
        "[４]",
        "[vote: ²]",
        "[vote: 99999999999999999999]",
        "[-1]",
        "[0x10]",
        "[1e309]",
        "[nan]",
        "[" + "1 " * 3000 + "]",
        "[bid: " + "9" * 400 + " 3]",
        "[offer: 9999999999 wood -> 1 gold]",
        "click(" + "-" * 100_000 + "1)",
        "click(" + "(" * 5000 + "1" + ")" * 5000 + ")",
        "type(1, '\\udcff')",
        'type(1, "' + "x" * 19_000 + '")',
        "goto('/../../wob/miniwob/click-button.html')",
        "key('" + "+" * 5000 + "')",
        "-" * 100_000 + "1",
        "<answer>" + "1+" * 30_000 + "1</answer>",
        "<answer>" * 8000,
        "</answer>" * 7000,
        "<think>" * 9000,
        "<tool_call>" * 5000,
        "```" + " " * 60_000,
        "```python\n" + "(" * 20_000,
        "x" * 65_536,
        "x" * 65_537,
        "9" * 65_536,
        '{"name": "x", "arguments": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"name": "answer", "arguments": {"answer": ' + "9" * 5000 + "}}",
        '{"name": "answer", "arguments": {"answer": NaN}}',
        '{"name": "answer", "arguments": "' + "[" * 3000 + '"}',
        '{"name": "\\udcff", "arguments": {}}',
        '{"name": "answer", "arguments": {"answer": "\\ud800"}}',
        '{"name": ' + '"a' * 30_000 + "}",
        "null",
        "[]",
        "0",
        '"string"',
        "true",
    ]


CORPUS = _corpus()
NOT_TEXT = [None, 42, b"[4]", ["[4]"], {"name": "answer"}]


def _bad_values(schema: dict[str, Any]) -> list[Any]:
    """Values of the wrong type or hostile content for one JSON-schema property."""
    wrong = [None, True, -(10**30), 1.5e308, [[[[[]]]]], {"a": {"b": {}}}, "\udcff", "x" * 90_000]
    kind = schema.get("type")
    if kind == "string":
        wrong += [12, ["list"], "%s%n" * 50, "'; DROP TABLE x; --"]
    elif kind in ("integer", "number"):
        wrong += ["3", 10**29, -1, 2**63]
    return wrong


OUTPUT_BOMBS = {
    "sql": [
        "SELECT zeroblob(100000000)",
        "SELECT printf('%.*c', 300000000, 'x')",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT n, printf('%.*c', 90000, 'x') FROM r",
    ],
    "python": [
        "print('x' * 10**8)",
        "import sys; sys.stdout.write('y' * 10**7); sys.stderr.write('z' * 10**7)",
        "exec('(' * 10**6)",
    ],
}


def tool_calls(tools: list[dict[str, Any]]) -> list[str]:
    """Calls of the env's own tools: each argument in turn given hostile values, then known output bombs."""
    calls = []
    for tool in tools:
        fn = tool["function"]
        properties = fn.get("parameters", {}).get("properties", {})
        good = {k: ("1" if p.get("type") == "string" else 1) for k, p in properties.items()}
        for key, schema in properties.items():
            for value in _bad_values(schema):
                calls.append(_dump({"name": fn["name"], "arguments": {**good, key: value}}))
        calls.append(_dump({"name": fn["name"], "arguments": {**good, "extra": 1}}))
        calls.append(_dump({"name": fn["name"], "arguments": json.dumps(good)}))  # arguments as a JSON string
        for bomb in OUTPUT_BOMBS.get(fn["name"], []):
            key = next(iter(properties))
            calls.append(_dump({"name": fn["name"], "arguments": {**good, key: bomb}}))
    return calls


def _dump(call: dict[str, Any]) -> str:
    return json.dumps(call)  # escapes lone surrogates as \udcff, as a model's JSON would


def _is_webapp(env_id: str) -> bool:
    from agora.envs.web import WEB_APPS

    return env_id.startswith("web/") and env_id.removeprefix("web/").split(".")[0] in WEB_APPS


def _params() -> list:
    params = []
    run_all = os.environ.get("AGORA_HOSTILE_ALL", "") not in ("", "0")
    for env_id in agora.list_envs():
        if ".miniwob." in f"{env_id.replace('/', '.')}" and env_id not in MINIWOB_SAMPLE and not run_all:
            continue
        sampled_out = (_is_webapp(env_id) and env_id not in WEBAPP_SAMPLE) or (
            env_id.startswith("desktop/") and env_id not in DESKTOP_SAMPLE
        )
        if sampled_out and not run_all:
            continue
        family = agora.spec(env_id).family
        marks = list(FAMILY_MARKS.get(family, []))
        marks += [pytest.mark.docker] if env_id in DOCKER_IDS else []
        marks += [pytest.mark.slow] if family in SLOW_FAMILIES else []
        params.append(pytest.param(env_id, id=env_id, marks=marks))
    return params


def _make(env_id: str) -> Any:
    creator = agora.spec(env_id).load()
    if isinstance(creator, type) and issubclass(creator, AECEnv):
        return agora.make(env_id, opponent="random")
    return agora.make(env_id)


def _step(env: Any, action: Any) -> tuple:
    start = time.monotonic()
    result = env.step(action)
    took = time.monotonic() - start
    assert took < STEP_LIMIT_S, f"step took {took:.1f} s for {str(action)[:80]!r}"
    obs = result[0]
    assert env.observation_space.contains(obs), f"observation outside the space after {str(action)[:80]!r}"
    return result


@pytest.mark.parametrize("env_id", _params())
def test_hostile_corpus_never_raises(env_id: str) -> None:
    env = _make(env_id)
    try:
        _, info = env.reset(seed=0)
        actions = CORPUS + tool_calls(info.get("tools") or [])
        for action in actions:
            _, _, terminated, truncated, info = _step(env, action)
            if terminated or truncated:
                env.reset(seed=0)  # one seed: envs that generate their task (TextWorld) do it once
        for action in NOT_TEXT:
            with pytest.raises(TypeError):
                env.step(action)
        obs, info = env.reset(seed=0)
        assert env.observation_space.contains(obs)
        _step(env, "[0]")  # still playable after everything above
    finally:
        env.close()


def test_tool_calls_cover_every_argument_with_hostile_values():
    tools = [
        {
            "type": "function",
            "function": {
                "name": "sql",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
            },
        }
    ]
    calls = [json.loads(c) for c in tool_calls(tools)]
    values = [c["arguments"]["query"] for c in calls if isinstance(c["arguments"], dict) and "query" in c["arguments"]]
    assert None in values and "\udcff" in values and 12 in values and "SELECT zeroblob(100000000)" in values
