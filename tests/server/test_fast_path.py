"""The client socket (RFC 6455 against websockets' real server) and the server's fast path."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from websockets.asyncio.server import serve

import agora.remote
from agora.errors import RemoteConnectionLost, RemoteEnvError
from agora.remote import Connection
from agora.server.app import ServerThread
from agora.wire.transport import WireSocket
from tests.server import crashy

crashy.register()


class _Peer:
    """A plain websockets server running `handler` on its own loop and thread."""

    def __init__(self, handler, **kwargs):
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def main() -> None:
            self.server = await serve(handler, "127.0.0.1", 0, compression=None, **kwargs)
            self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
            started.set()
            await self.server.wait_closed()

        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(main(),), daemon=True)
        self.thread.start()
        assert started.wait(10)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.thread.join(10)


def test_wire_socket_masks_assembles_fragments_answers_pings_and_sees_the_close() -> None:
    seen: dict[str, object] = {}

    async def handler(ws) -> None:
        seen["first"] = await ws.recv()  # the server fails the connection on an unmasked client frame
        pong = await ws.ping(b"are you there")
        await ws.send(["h\u00e9", "llo"])  # one text message in two frames
        await ws.send(b"\x00\x01")
        await ws.send(seen["first"])
        await asyncio.wait_for(pong, 5)
        seen["pong"] = True
        await ws.close(4001, "bye")

    peer = _Peer(handler)
    try:
        ws = WireSocket(peer.url, {}, open_timeout_s=10, max_size=1 << 20)
        ws.settimeout(10)
        ws.send_text("hello server")
        assert ws.recv() == "h\u00e9llo"
        assert ws.recv() == b"\x00\x01"
        assert ws.recv() == "hello server"
        with pytest.raises(EOFError, match="4001"):
            ws.recv()
        assert seen == {"first": "hello server", "pong": True}
        ws.close()
    finally:
        peer.close()


def test_wire_socket_refuses_a_message_over_its_limit() -> None:
    async def handler(ws) -> None:
        await ws.send("x" * 5000)
        await ws.wait_closed()

    peer = _Peer(handler)
    ws = None
    try:
        # The frame may arrive with the handshake's answer (then the constructor's read refuses it) or after.
        with pytest.raises(ConnectionError, match="PayloadTooBig"):
            ws = WireSocket(peer.url, {}, open_timeout_s=10, max_size=1024)
            ws.settimeout(10)
            ws.recv()
    finally:
        if ws is not None:
            ws.close()
        peer.close()


def _warm(server: ServerThread, env, env_id: str) -> None:
    """Steps until the server answers this env id's steps on the fast path."""
    for _ in range(200):
        if server.server.timer.inline(env_id):
            return
        env.step("x")
    pytest.fail(f"the server never inlined {env_id}")


def test_pipelined_requests_are_answered_in_order() -> None:
    with ServerThread() as server:
        env = agora.remote.make(server.url, "example/CountUp-v0", target=1000)
        env.reset(seed=0)
        _warm(server, env, "example/CountUp-v0")
        env.close()
        ws = WireSocket(server.url, {}, open_timeout_s=10, max_size=1 << 20)
        ws.settimeout(10)
        ask = [
            {"id": 1, "op": "make", "env_id": "example/CountUp-v0", "kwargs": {"target": 1000}},
            {"id": 2, "op": "reset", "handle": 0, "seed": 0},
        ]
        ask += [{"id": 3 + k, "op": "step", "handle": 0, "action": str(k + 1)} for k in range(20)]
        for request in ask:  # all sent before any reply is read: make and reset wait, steps would not
            ws.send_text(json.dumps(request))
        replies = [json.loads(ws.recv()) for _ in ask]
        assert [r["id"] for r in replies] == [r["id"] for r in ask]
        assert all(r.get("error") is None for r in replies)
        assert [r["result"]["reward"] for r in replies[2:]] == [1.0] * 20  # each step saw the one before
        ws.close()


def test_errors_on_the_fast_path_cross_with_their_type() -> None:
    with ServerThread() as server:
        env = agora.remote.make(server.url, "testing/CrashOnStep-v0", target=1000)
        env.reset(seed=0)
        _warm(server, env, "testing/CrashOnStep-v0")
        with pytest.raises(ValueError, match="blew up on 'boom'"):
            env.step("boom")
        with pytest.raises(RemoteEnvError, match="builtins.LookupError"):
            env.step("odd")
        obs, reward, terminated, truncated, info = env.step("1")
        assert reward == 1.0 and "infra_error" not in info
        assert server.server.timer.inline("testing/CrashOnStep-v0")  # still the fast path
        env.close()


def test_the_servers_own_closes_reach_an_idle_client_with_their_code() -> None:
    with ServerThread(idle_timeout_s=0.3) as server:
        idle = Connection(server.url)
        assert "example/CountUp-v0" in idle.call("list", family="example")
        for _ in range(200):  # the sweeper runs every 0.075 s here
            if not server.server.sessions:
                break
            time.sleep(0.05)
        with pytest.raises(RemoteConnectionLost, match="4000"):
            idle.call("list")
    server = ServerThread().start()
    idle = Connection(server.url)
    idle.call("list")
    server.stop()  # does not wait for the idle client's answer to the close frame
    with pytest.raises(RemoteConnectionLost, match="1001"):
        idle.call("list")
