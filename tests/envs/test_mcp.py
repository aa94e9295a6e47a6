"""tools/MCP-v0 against the shipped notes/calendar server, run for real as a subprocess over stdio."""

from __future__ import annotations

import json
import sys

import pytest

import agora
from agora.envs.tools.mcp.client import MCPConnection, MCPServerError
from agora.envs.tools.mcp.env import NOTES_SERVER, MCPEnv
from agora.envs.tools.mcp.tasks import TEMPLATES, contains


def call(name: str, **arguments) -> str:
    return json.dumps({"name": name, "arguments": arguments})


@pytest.fixture(scope="module")
def env():
    env = agora.make("tools/MCP-v0")
    yield env
    env.close()


@pytest.mark.parametrize("task_index", range(len(TEMPLATES)))
def test_reference_solution_reaches_one(env, task_index):
    obs, info = env.reset(seed=0, options={"task_index": task_index})
    names = [t["function"]["name"] for t in info["tools"]]
    assert "add_note" in names and names[-1] == "answer" and "reset_state" not in names
    for step in env.unwrapped.task.solution:
        obs, reward, terminated, _, info = env.step(step.model_dump_json())
        assert "error" not in info, obs
    assert (reward, terminated) == (1.0, True)


def test_doing_nothing_scores_less(env):
    rewards = []
    for task_index in range(len(TEMPLATES)):
        env.reset(seed=0, options={"task_index": task_index})
        rewards.append(env.step(call("answer", answer="done"))[1])
    # create/count/schedule/read fail entirely; 'delete obsolete' keeps the others (1 of 2 checks)
    assert rewards == [0.0, 0.0, 0.5, 0.0, 0.0]


def test_state_lives_in_the_server_and_resets_between_episodes(env):
    env.reset(seed=0, options={"task_index": 0})
    obs, *_ = env.step(call("add_note", title="Groceries", body="milk", tags=["home"]))
    assert json.loads(obs)["id"] == 1
    obs, *_ = env.step(call("read_note", note_id=1))
    assert json.loads(obs)["body"] == "milk"
    env.reset(seed=0, options={"task_index": 0})
    obs, reward, terminated, _, info = env.step(call("read_note", note_id=1))
    assert "no note has id 1" in info["error"] and obs.startswith("Error: ") and reward == 0.0
    for tool, kind in (("delete_note", "note"), ("delete_event", "event")):  # deleting: once, then an error
        env.step(call(f"add_{kind}", title="t", **({"body": "b"} if kind == "note" else {"date": "2026-01-02"})))
        obs, *_ = env.step(call(tool, **{f"{kind}_id": 1}))
        assert obs == f"deleted {kind} 1"
        _, _, _, _, info = env.step(call(tool, **{f"{kind}_id": 1}))
        assert f"no {kind} has id 1" in info["error"]


def test_bad_arguments_and_unknown_tools(env):
    env.reset(seed=0)
    _, reward, _, _, info = env.step(call("add_note", title="x"))
    assert reward == -0.1 and "missing required argument 'body'" in info["error"]
    _, reward, _, _, info = env.step(call("reset_state"))
    assert reward == -0.1 and "Unknown tool" in info["error"]
    obs, reward, _, _, info = env.step(call("add_event", title="x", date="tomorrow"))
    assert reward == 0.0 and "YYYY-MM-DD" in info["error"]


@pytest.mark.slow
def test_any_server_with_dict_tasks_restarts_the_process_per_episode():
    tasks = [
        {
            "goal": "Add an event 'Dentist' on 2025-03-04.",
            "checks": [
                {
                    "call": {"name": "list_events", "arguments": {"date": "2025-03-04"}},
                    "expect": [{"title": "Dentist"}],
                }
            ],
        }
    ]
    env = MCPEnv(server=NOTES_SERVER, tasks=tasks)  # no reset_tool: a fresh process each reset
    try:
        env.reset(seed=0)
        first = env._conn
        env.step(call("add_event", title="Dentist", date="2025-03-04"))
        assert env.step(call("answer", answer="done"))[1] == 1.0
        env.reset(seed=0)
        assert env._conn is not first
        assert "reset_state" in [t["function"]["name"] for t in env.tools]  # nothing hidden without reset_tool
        assert env.step(call("answer", answer="done"))[1] == 0.0  # the new process is empty
    finally:
        env.close()


def test_a_server_that_does_not_start_raises_with_its_command():
    command = [sys.executable, "-c", "import sys; sys.exit(3)"]
    with pytest.raises(MCPServerError, match="sys.exit"):
        MCPConnection(command, timeout_s=10)


def test_contains_semantics():
    assert contains([{"id": 1, "title": "a"}, {"id": 2, "title": "b"}], [{"title": "b"}])
    assert not contains([{"title": "a"}], [{"title": "b"}])
    assert contains({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}) and not contains({"a": 1}, {"a": 1, "b": 2})


def test_tasks_without_checks_are_rejected():
    with pytest.raises(ValueError, match="neither checks nor an answer"):
        MCPEnv(server=NOTES_SERVER, tasks=[{"goal": "anything"}])
