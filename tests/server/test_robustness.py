"""Hostile or broken input: malformed frames, oversized frames, crashing envs, idle sessions."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

import agora.remote
from agora.errors import ProtocolError, RemoteConnectionLost, RemoteEnvError, ResetNeeded, UnknownEnvError
from agora.server.app import ServerThread
from tests.server import crashy

crashy.register()


def _ask(ws, message) -> dict:
    ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))
    return json.loads(ws.recv(10))


@pytest.mark.parametrize(
    "frame, says",
    [
        ("not json at all", "malformed request"),
        ('{"id": 1, "op": "fly", "handle": 0}', "malformed request"),
        ('{"id": 1, "op": "step", "handle": 0, "action": "[4]", "extra": 1}', "Extra inputs"),
        ('{"id": -3, "op": "list"}', "malformed request"),
        (b"\x00\x01binary", "JSON text frames"),
        (
            '{"id": 1, "op": "make", "env_id": "games/TicTacToe-v0", "kwargs": ' + "[" * 5000 + "]" * 5000 + "}",
            "malformed request",
        ),
        (
            '{"id": 1, "op": "make", "env_id": "games/TicTacToe-v0", "kwargs": {"a": ' + "[" * 100 + "]" * 100 + "}}",
            "deeper than",
        ),
        ('{"id": 1, "op": "step", "handle": 99, "action": "x"}', "no env with handle 99"),
    ],
)
def test_malformed_frame_gets_an_error_frame_and_the_session_goes_on(server, frame, says) -> None:
    with connect(server.url) as ws:
        reply = _ask(ws, frame)
        assert reply["error"]["type"] == "ProtocolError" and says in reply["error"]["message"]
        assert _ask(ws, {"id": 2, "op": "list", "family": "games"})["result"][0].startswith("games/")


def test_oversized_frames(server) -> None:
    limit = server.server.max_message_bytes
    with connect(server.url, max_size=None) as ws:
        reply = _ask(ws, json.dumps({"id": 1, "op": "step", "handle": 0, "action": "x" * (limit + 10)}))
        assert "the limit is" in reply["error"]["message"]
        assert _ask(ws, {"id": 2, "op": "list"})["id"] == 2
        ws.send("y" * (2 * limit + 10))  # past the hard limit: the connection goes, the server stays
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(10)
        assert closed.value.rcvd.code == 1009
    env = agora.remote.make(server.url, "games/TicTacToe-v0", opponent="random")
    assert env.reset(seed=0)[1]["legal_actions"]
    env.close()


def test_errors_cross_the_wire_with_their_type(server) -> None:
    with pytest.raises(UnknownEnvError, match="Did you mean 'games/TicTacToe-v0'"):
        agora.remote.make(server.url, "games/TicTacTo-v0")
    env = agora.remote.make(server.url, "testing/CrashOnStep-v0")
    with pytest.raises(ResetNeeded, match="stepped before reset"):
        env.step("1")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="blew up on 'boom'"):
        env.step("boom")
    with pytest.raises(RemoteEnvError, match="builtins.LookupError: an exception type"):
        env.step("odd")
    with pytest.raises(TypeError, match="expected str"):
        env.step(b"bytes")
    with pytest.raises(ProtocolError, match="not allowed over the network"):
        agora.remote.make(server.url, "games/TicTacToe-v0", opponent="os:system")
    env.close()


def test_one_sessions_crash_does_not_touch_another(server) -> None:
    calm = agora.remote.make(server.url, "games/TicTacToe-v0", opponent="random", seat=0)
    crashing = agora.remote.make(server.url, "testing/CrashOnStep-v0")
    calm.reset(seed=1)
    crashing.reset(seed=1)
    for _ in range(3):
        with pytest.raises(ValueError):
            crashing.step("boom")
    obs, reward, terminated, truncated, info = calm.step("[4]")
    assert "infra_error" not in info and not truncated
    assert crashing.step("1")[0]  # the crashing env's session is still usable too
    calm.close()
    crashing.close()


def test_a_slow_env_never_holds_up_other_sessions(server) -> None:
    import threading

    fast = agora.remote.make(server.url, "example/CountUp-v0", target=10_000)
    slow = agora.remote.make(server.url, "testing/SlowStep-v0", target=10_000)
    fast.reset(seed=0)
    slow.reset(seed=0)
    for k in range(40):  # the fast env's steps run inline on the event loop from here on
        fast.step(str(k + 1))
    assert server.server.timer.inline("example/CountUp-v0")
    done = threading.Event()

    def play_slow() -> None:
        for k in range(25):  # 2.5 s of 0.1 s steps: measured slow, they stay in the thread pool
            slow.step(str(k + 1))
        done.set()

    worker = threading.Thread(target=play_slow)
    worker.start()
    waits, k = [], 41
    while not done.is_set():
        start = time.perf_counter()
        assert fast.step(str(k))[1] == 1.0
        waits.append(time.perf_counter() - start)
        k += 1
    worker.join()
    assert not server.server.timer.inline("testing/SlowStep-v0")
    assert len(waits) > 25 and sorted(waits)[len(waits) // 2] < 0.05  # no step of the fast env waited on a slow one
    fast.close()
    slow.close()


def test_idle_session_is_closed_with_its_envs_and_reset_reconnects() -> None:
    with ServerThread(idle_timeout_s=0.4) as server:
        env = agora.remote.make(server.url, "testing/Tracked-v0")
        env.reset(seed=0)
        before = len(crashy.CLOSED)
        deadline = time.monotonic() + 10
        while len(crashy.CLOSED) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(crashy.CLOSED) == before + 1, "the idle session's env was not closed"
        assert not server.server.sessions
        obs, reward, terminated, truncated, info = env.step("1")
        assert truncated and "infra_error" in info and reward == 0.0
        obs, info = env.reset(seed=0)  # a new session
        assert "infra_error" not in info and len(server.server.sessions) == 1
        env.close()


def test_a_lost_game_connection_raises_and_reset_reconnects() -> None:
    server = ServerThread().start()
    game = agora.remote.make(server.url, "games/Nim-v0")
    game.reset(seed=0)
    port = server.server.bound_port
    server.stop()
    with pytest.raises(RemoteConnectionLost):
        game.step(game.infos[game.agent_selection]["legal_actions"][0])
    with ServerThread(port=port):
        game.reset(seed=0)
        assert game.agents
    game.close()
