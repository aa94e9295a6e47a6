"""The asyncio client: many sessions on one event loop (no thread per env).

>>> env = await AsyncRemoteEnv.create("ws://127.0.0.1:8000", "games/TicTacToe-v0", opponent="random")  # doctest: +SKIP
>>> obs, info = await env.reset(seed=0)  # doctest: +SKIP
>>> obs, reward, terminated, truncated, info = await env.step(info["legal_actions"][0])  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from agora._optional import require
from agora.errors import GameSetupError, ProtocolError, RemoteConnectionLost
from agora.remote.client import MAX_REPLY_BYTES, _dumps, auth_headers
from agora.remote.env import as_obs
from agora.wire import protocol as p


class AsyncConnection:
    """One WebSocket session with an env server, for asyncio code (one request at a time)."""

    def __init__(self, url: str, ws: Any):
        self.url = url
        self._ws = ws
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self.closed = False

    @classmethod
    async def open(cls, url: str, token: str | None = None, open_timeout_s: float = 30.0) -> AsyncConnection:
        """Opens a session with the server at `url`."""
        client = require("websockets.asyncio.client", "server")
        try:
            ws = await client.connect(
                url,
                additional_headers=auth_headers(token),
                open_timeout=open_timeout_s,
                max_size=MAX_REPLY_BYTES,
                compression=None,
                ping_interval=None,
            )
        except Exception as e:
            raise RemoteConnectionLost(f"cannot open a session with {url}: {type(e).__name__}: {e}") from e
        return cls(url, ws)

    async def call(self, op: str, **fields: Any) -> Any:
        """Sends one request and returns its result (or raises the server's error)."""
        closed = require("websockets.exceptions", "server").ConnectionClosed
        request_id = next(self._ids)
        async with self._lock:
            try:
                await self._ws.send(_dumps({"id": request_id, "op": op, **fields}), text=True)
                reply = p.parse_reply(await self._ws.recv())
                frames = [await self._ws.recv() for _ in range(reply.frames)]
            except (OSError, closed) as e:
                self.closed = True
                raise RemoteConnectionLost(f"lost the session with {self.url} during {op!r}: {e}") from e
            except ValueError as e:
                raise ProtocolError(f"the server at {self.url} sent a malformed reply: {str(e)[:300]}") from e
        if reply.error is not None:
            raise p.to_exception(reply.error)
        return p.decode_arrays(reply.result, frames)

    async def close(self) -> None:
        """Ends the session."""
        self.closed = True
        await self._ws.close()


class AsyncRemoteEnv:
    """A single-agent env served by `agora serve`, with awaitable `reset`/`step`/`close`."""

    def __init__(self, conn: AsyncConnection, handle: int, spec: dict[str, Any]):
        self.conn, self.handle, self.spec_info = conn, handle, spec
        self.observation_space = p.build_space(spec["observation_space"])
        self.action_space = p.build_space(spec["action_space"])

    @classmethod
    async def create(cls, url: str, env_id: str, token: str | None = None, **kwargs: Any) -> AsyncRemoteEnv:
        """Opens a session at `url` and makes `env_id` in it."""
        conn = await AsyncConnection.open(url, token)
        made = await conn.call("make", env_id=env_id, kwargs=kwargs)
        if made["spec"]["kind"] != "env":
            await conn.close()
            raise GameSetupError(f"{env_id} is a multi-agent game: pass opponent=... for a single-agent env.")
        return cls(conn, made["handle"], made["spec"])

    async def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Starts an episode."""
        r = await self.conn.call("reset", handle=self.handle, seed=seed, options=options)
        return as_obs(r["obs"]), p.fix_info(r["info"])

    async def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Plays one action."""
        r = await self.conn.call("step", handle=self.handle, action=action)
        return as_obs(r["obs"]), r["reward"], r["terminated"], r["truncated"], p.fix_info(r["info"])

    async def close(self) -> None:
        """Closes the env and the session."""
        if not self.conn.closed:
            try:
                await self.conn.call("close", handle=self.handle)
            finally:
                await self.conn.close()
