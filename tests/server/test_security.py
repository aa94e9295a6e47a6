"""Bind and token rules, session limits, and the plain HTTP endpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

import agora.remote
from agora.errors import RemoteConnectionLost, ServerConfigError
from agora.server.app import EnvServer, ServerThread, check_bind


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_public_bind_without_token_refuses_to_start_and_says_why() -> None:
    with pytest.raises(ServerConfigError, match="without a token"):
        EnvServer("0.0.0.0")
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", "secret")
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "without a token" in done.stdout and "--token" in done.stdout


def test_token_is_checked_before_a_session_exists() -> None:
    with ServerThread(token="s3cret") as server:
        for token in (None, "wrong"):
            with pytest.raises(RemoteConnectionLost, match="401"):
                agora.remote.make(server.url, "games/TicTacToe-v0", token=token, opponent="random")
        assert not server.server.sessions
        status, _ = _get(f"http://127.0.0.1:{server.server.bound_port}/envs")
        assert status == 401
        env = agora.remote.make(server.url, "games/TicTacToe-v0", token="s3cret", opponent="random")
        assert env.reset(seed=0)[1]["legal_actions"]
        status, body = _get(f"http://127.0.0.1:{server.server.bound_port}/health", "s3cret")
        assert status == 200 and json.loads(body) == {"status": "healthy", "sessions": 1}
        env.close()


def test_health_and_list_endpoints(server) -> None:
    base = f"http://127.0.0.1:{server.server.bound_port}"
    status, body = _get(f"{base}/envs")
    ids = json.loads(body)
    assert status == 200 and "games/TicTacToe-v0" in ids and "example/CountUp-v0" in ids
    assert _get(f"{base}/health")[0] == 200


def test_session_limit() -> None:
    with ServerThread(max_sessions=2) as server:
        envs = [agora.remote.make(server.url, "games/Nim-v0", opponent="random") for _ in range(2)]
        with pytest.raises(RemoteConnectionLost, match="503"):
            agora.remote.make(server.url, "games/Nim-v0", opponent="random")
        envs[0].close()
        for _ in range(100):  # the server notices the closed session within moments
            if len(server.server.sessions) < 2:
                break
            import time

            time.sleep(0.02)
        third = agora.remote.make(server.url, "games/Nim-v0", opponent="random")
        third.close()
        envs[1].close()
