"""MCP: a hostile argument is the agent's fault (an error observation, at once), and a dead server is restarted."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

import agora

pytestmark = pytest.mark.slow  # an MCP server start each


def _server_pids() -> list[int]:
    """Our own notes-server processes (children of this test process)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read()
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parent = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"notes_server" in cmdline and parent == os.getpid():
                pids.append(int(entry))
    return pids


def test_a_lone_surrogate_is_an_error_observation_at_once():
    env = agora.make("tools/MCP-v0")
    try:
        _, info = env.reset(seed=0)
        tool = info["tools"][0]["function"]
        key = next(iter(tool["parameters"]["properties"]))
        start = time.monotonic()
        obs, reward, terminated, truncated, info = env.step(
            json.dumps({"name": tool["name"], "arguments": {key: "\udcff"}})
        )
        assert time.monotonic() - start < 5 and "not valid Unicode" in info["error"]
        assert "infra_error" not in info and not terminated and reward == env.unwrapped.invalid_action_reward
        env.reset(seed=1)  # the connection is fine
    finally:
        env.close()


def test_a_dead_server_is_restarted_on_reset():
    env = agora.make("tools/MCP-v0")
    try:
        env.reset(seed=0)
        (pid,) = _server_pids()
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        obs, info = env.reset(seed=0)
        assert "Goal:" in obs and _server_pids() and _server_pids() != [pid]
        _, _, _, _, info = env.step(json.dumps({"name": "answer", "arguments": {"answer": "done"}}))
        assert "infra_error" not in info
    finally:
        env.close()
