"""Both clients dial through the proxy the environment names (HTTP CONNECT), and around it for NO_PROXY."""

from __future__ import annotations

import asyncio
import threading

import pytest

import agora.remote
from agora.errors import RemoteConnectionLost
from agora.remote import AsyncRemoteEnv


class ConnectProxy:
    """A real HTTP CONNECT proxy on loopback (its own loop and thread) that records the tunnels it opened."""

    def __init__(self, refuse: bool = False):
        self.tunnels: list[str] = []
        self.refuse = refuse
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def main() -> None:
            self.stop = asyncio.Event()
            server = await asyncio.start_server(self._tunnel, "127.0.0.1", 0)
            self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            started.set()
            await self.stop.wait()
            server.close()

        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(main(),), daemon=True)
        self.thread.start()
        assert started.wait(10)

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        method, target, _ = head.split("\r\n", 1)[0].split(" ")
        if method != "CONNECT" or self.refuse:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        self.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def proxy(monkeypatch):
    running = ConnectProxy()
    for name in ("http_proxy", "https_proxy", "all_proxy", "ws_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", running.url)
    yield running
    running.close()


def test_both_clients_tunnel_through_the_environments_proxy(server, proxy) -> None:
    port = server.url.rsplit(":", 1)[1]
    env = agora.remote.make(server.url, "games/TicTacToe-v0", opponent="random", seat=0)
    _, info = env.reset(seed=0)
    assert env.step(info["legal_actions"][0])[4].get("infra_error") is None
    env.close()

    async def play() -> None:
        remote = await AsyncRemoteEnv.create(server.url, "example/CountUp-v0")
        await remote.reset(seed=0)
        assert (await remote.step("1"))[1] == 1.0
        await remote.close()

    asyncio.run(play())
    assert proxy.tunnels == [f"127.0.0.1:{port}"] * 2  # the blocking client, then websockets' asyncio client


def test_no_proxy_goes_around_it_and_a_refusing_proxy_is_a_lost_connection(server, proxy, monkeypatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    agora.remote.make(server.url, "example/CountUp-v0").close()
    assert proxy.tunnels == []
    monkeypatch.delenv("NO_PROXY")
    proxy.refuse = True
    with pytest.raises(RemoteConnectionLost, match=r"through the proxy http://127\.0\.0\.1:\d+: InvalidProxyStatus"):
        agora.remote.make(server.url, "example/CountUp-v0")
