"""The WebSocket env server behind `agora serve` (needs ``pip install 'agora[server]'``).

Routes on one port:

* ``ws://HOST:PORT/`` (any path not below): agora's protocol (`agora.wire.protocol`), one
  session per connection; `agora.remote` speaks it.
* ``ws://HOST:PORT/openenv/<env id>/ws``: the OpenEnv protocol (`agora.server.openenv`), so
  OpenEnv's generic client drives the env with ``base_url="http://HOST:PORT/openenv/<env id>"``.
* ``GET /health`` and ``GET /envs``: plain HTTP JSON (status and sessions; the registered ids).

A request that needs no wait (a step or reset of an env whose recent ones were fast) is answered
inside the callback that read its frame (`agora.server.connection`); the rest go through the
session's handler task. `agora serve` runs on uvloop when it is installed.

Security: the server binds loopback unless told otherwise, and refuses a non-loopback bind without
a token. With a token, every request (HTTP and WebSocket alike) must carry
``Authorization: Bearer TOKEN``; one without it is rejected during the handshake, before a session
exists. Sessions past `max_sessions` get HTTP 503. A request frame over `max_message_bytes` or
malformed gets an error frame and the session goes on; a frame over twice that closes the
connection (code 1009). A session silent (and not inside a call) for `idle_timeout_s` is closed
with its envs (close code 4000).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import hmac
import ipaddress
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from agora._optional import require
from agora.env_calls import InlinePolicy
from agora.errors import ProtocolError, ServerConfigError
from agora.server.session import Session
from agora.wire import protocol as p

IDLE_CLOSE_CODE = 4000
"""WebSocket close code of a session closed for being idle."""
CLOSE_TIMEOUT_S = 1.0
"""How long a closing connection waits for the client's close frame (the server's own closes, idle and
stop, do not wait: see `FastPathConnection.close_now`)."""
FAST_PATH_MAX_BYTES = 1 << 16
"""Larger request frames (big actions, env kwargs) skip the fast path's parse and go to `answer` directly."""
log = logging.getLogger("agora.server")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Raises `ServerConfigError` for a non-loopback bind without a token."""
    if not is_loopback(host) and not token:
        raise ServerConfigError(
            f"Refusing to serve on {host!r} without a token: anyone who reaches that address could run "
            "envs (containers, browsers) on this machine. Pass --token TOKEN (clients send it as "
            "'Authorization: Bearer TOKEN'), or bind 127.0.0.1."
        )


def make_env(env_id: str, kwargs: dict[str, Any]) -> Any:
    """Builds a registered env for a session; agent specs that would load code by path are refused."""
    import agora

    opponent = kwargs.get("opponent")
    for spec in opponent if isinstance(opponent, list) else [opponent]:
        if spec is not None and (not isinstance(spec, str) or ":" in spec or "/" in spec):
            raise ProtocolError(
                f"opponent {spec!r:.80} is not allowed over the network: name one of the game's scripted "
                "agents or 'random' (specs that load code or models run only in-process)."
            )
    return agora.make(env_id, **kwargs)


def describe_id(env_id: str) -> dict[str, Any]:
    """The registry entry of `env_id` as JSON."""
    import agora

    spec = agora.spec(env_id)
    return {
        "id": spec.id,
        "family": spec.family,
        "max_turns": spec.max_turns,
        "plugin": spec.plugin,
        "kwargs": json.loads(p.encode(dict(spec.kwargs))[0]),
    }


def list_ids(family: str | None) -> list[str]:
    """The registered ids (plugins included)."""
    import agora

    return agora.list_envs(family)


class EnvServer:
    """Serves every registered env over WebSocket; `serve` runs it until cancelled."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        token: str | None = None,
        max_sessions: int = 4096,
        idle_timeout_s: float = 600.0,
        max_message_bytes: int = p.MAX_MESSAGE_BYTES,
        env_threads: int = 32,
    ):
        check_bind(host, token)
        if max_sessions < 1 or idle_timeout_s <= 0 or max_message_bytes < 1024:
            raise ServerConfigError("max_sessions >= 1, idle_timeout_s > 0 and max_message_bytes >= 1024 please.")
        self.host, self.port, self.token = host, port, token
        self.max_sessions = max_sessions
        self.idle_timeout_s = idle_timeout_s
        self.max_message_bytes = max_message_bytes
        self.executor = concurrent.futures.ThreadPoolExecutor(env_threads, thread_name_prefix="agora-serve")
        self.timer = InlinePolicy()
        self.sessions: set[Session] = set()
        self.connections: dict[Session, Any] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.bound_port: int | None = None
        self._server: Any = None

    # ------------------------------------------------------------------ HTTP side of the handshake
    def _authorized(self, request: Any) -> bool:
        if not self.token:
            return True
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    def process_request(self, connection: Any, request: Any) -> Any:
        """Answers HTTP requests and rejects unauthorised or excess WebSocket handshakes."""
        if not self._authorized(request):
            return connection.respond(401, "Missing or wrong token: send 'Authorization: Bearer TOKEN'.\n")
        path = request.path.split("?", 1)[0]
        if path in ("/health", "/envs") or (path.startswith("/openenv/") and path.endswith("/health")):
            body = {"status": "healthy", "sessions": len(self.sessions)} if path != "/envs" else list_ids(None)
            response = connection.respond(200, json.dumps(body) + "\n")
            response.headers["Content-Type"] = "application/json"
            return response
        if len(self.sessions) >= self.max_sessions:
            return connection.respond(503, f"The server holds its maximum of {self.max_sessions} sessions.\n")
        return None

    # ------------------------------------------------------------------ sessions
    def new_session(self, ws: Any) -> Session:
        """A session registered with the server (counted against `max_sessions`, swept when idle)."""
        session = Session(self.executor, self.timer, make_env, describe_id, list_ids)
        self.sessions.add(session)
        self.connections[session] = ws
        return session

    async def end_session(self, session: Session) -> None:
        """Closes the session's envs and forgets it."""
        self.sessions.discard(session)
        self.connections.pop(session, None)
        await session.close()

    async def _sweep_idle(self) -> None:
        """Closes sessions silent (and not busy) for longer than `idle_timeout_s`."""
        period = max(0.05, min(1.0, self.idle_timeout_s / 4))
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for session, ws in list(self.connections.items()):
                if not session.busy and now - session.last_active > self.idle_timeout_s:
                    self.connections.pop(session, None)
                    ws.close_now(IDLE_CLOSE_CODE, f"idle for {self.idle_timeout_s:g} s")
                    asyncio.ensure_future(self.end_session(session))

    async def handler(self, ws: Any) -> None:
        """Routes a connection to the agora or the OpenEnv protocol."""
        path = ws.request.path.split("?", 1)[0]
        if path.startswith("/openenv/"):
            from agora.server.openenv import serve_openenv

            await serve_openenv(self, ws, path)
            return
        await self._serve_agora(ws)

    async def _serve_agora(self, ws: Any) -> None:
        closed = require("websockets.exceptions", "server").ConnectionClosed
        session = self.new_session(ws)
        ws.fast = functools.partial(self.answer_now, session)  # a FastPathConnection (agora.server.connection)
        try:
            async for raw in ws:
                session.busy = True
                text, frames = await self.answer(session, raw)
                await ws.send(text)
                for frame in frames:
                    await ws.send(frame)
                session.busy, session.last_active = False, time.monotonic()
                ws.answered()
        except closed:
            return
        finally:
            await self.end_session(session)

    async def answer(self, session: Session, raw: str | bytes) -> tuple[str, list[bytes]]:
        """The reply frames to one request frame (an error reply for anything that fails)."""
        try:
            request = p.parse_request(raw, self.max_message_bytes)
        except ProtocolError as e:
            return p.encode_reply(p.request_id_of(raw), error=p.error_info(e))
        try:
            result = await session.handle(request)
            return p.encode_reply(request.id, result)
        except Exception as e:  # the env's (or the request's) failure goes back to this client only
            return p.encode_reply(request.id, error=p.error_info(e))

    def answer_now(self, session: Session, data: bytes) -> tuple[str, list[bytes]] | None:
        """The reply frames to a request answered on the spot (`Session.answer_inline`), else None.

        A request that fails to parse, or needs a wait, returns None and takes the ordinary path
        (`answer`), which replies with the same error or result.
        """
        if session.busy or len(data) > FAST_PATH_MAX_BYTES:
            return None
        request = p.parse_step(data, self.max_message_bytes)
        if request is None:
            try:
                request = p.parse_request(data.decode(), self.max_message_bytes)
            except (ProtocolError, UnicodeDecodeError):
                return None
        try:
            done, result = session.answer_inline(request)
            if not done:
                return None
            reply = p.encode_reply(request.id, result)
        except Exception as e:  # as in `answer`: the env's failure goes back to this client only
            reply = p.encode_reply(request.id, error=p.error_info(e))
        session.last_active = time.monotonic()
        return reply

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Starts listening; `bound_port` is the actual port (useful with port 0)."""
        websockets = require("websockets.asyncio.server", "server")
        from agora.server.connection import FastPathConnection

        self._server = await websockets.serve(
            self.handler,
            self.host,
            self.port,
            process_request=self.process_request,
            max_size=2 * self.max_message_bytes,
            compression=None,
            ping_interval=None,
            max_queue=64,
            logger=_quiet_logger(),
            create_connection=FastPathConnection,
            close_timeout=CLOSE_TIMEOUT_S,
        )
        self.bound_port = self._server.sockets[0].getsockname()[1]
        self._sweeper = asyncio.ensure_future(self._sweep_idle())

    async def stop(self) -> None:
        """Stops listening, closes every connection and every session's envs."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        for ws in list(self.connections.values()):
            ws.close_now(1001, "the server is stopping")
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for session in list(self.sessions):
            await self.end_session(session)
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def serve(self, ready: Callable[[EnvServer], Awaitable[None] | None] | None = None) -> None:
        """Runs until cancelled; `ready(server)` is called once it listens."""
        await self.start()
        try:
            if ready is not None:
                result = ready(self)
                if asyncio.iscoroutine(result):
                    await result
            await asyncio.Future()
        finally:
            await self.stop()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new event loop: uvloop's when installed (less time per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _quiet_logger() -> logging.Logger:
    """Handshake failures (scanners, wrong tokens) are logged once at INFO, not as tracebacks."""
    logger = logging.getLogger("agora.server.websockets")
    logger.setLevel(logging.WARNING)
    return logger


class ServerThread:
    """An `EnvServer` on its own event loop in a background thread (notebooks, tests, benchmarks).

    >>> with ServerThread() as server:  # doctest: +SKIP
    ...     env = agora.remote.make(server.url, "games/TicTacToe-v0", opponent="random")
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **kwargs: Any):
        self.server = EnvServer(host, port, **kwargs)
        self.loop = new_event_loop()
        self._thread: Any = None

    @property
    def url(self) -> str:
        """``ws://HOST:PORT`` of the running server."""
        return f"ws://{self.server.host}:{self.server.bound_port}"

    def start(self) -> ServerThread:
        """Starts the server and waits until it listens."""
        import threading

        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(self.server.start())
            except BaseException as e:  # reported to the caller of start()
                failure.append(e)
                started.set()
                return
            started.set()
            self.loop.run_forever()

        self._thread = threading.Thread(target=run, name="agora-serve", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stops the server (closing every session's envs) and its thread."""
        if self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
