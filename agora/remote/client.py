"""A blocking connection to `agora serve`: one session, one request at a time (thread-safe).

Errors raised by the server come back as the same agora or builtin exception type; a failed or
closed connection raises `agora.errors.RemoteConnectionLost`.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from agora._optional import require
from agora.errors import ProtocolError, RemoteConnectionLost
from agora.server import protocol as p

MAX_REPLY_BYTES = 64 << 20
"""Largest reply frame a client accepts (a screenshot is about 1.4 MB)."""


def auth_headers(token: str | None) -> dict[str, str]:
    """The handshake headers that carry `token`."""
    return {"Authorization": f"Bearer {token}"} if token else {}


class Connection:
    """One WebSocket session with an env server."""

    def __init__(self, url: str, token: str | None = None, *, open_timeout_s: float = 10.0,
                 reply_timeout_s: float | None = 600.0):
        self.url = url
        self.token = token
        self.reply_timeout_s = reply_timeout_s
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        client = require("websockets.sync.client", "server")
        try:
            opener = client.connect(url, additional_headers=auth_headers(token), open_timeout=open_timeout_s,
                                    max_size=MAX_REPLY_BYTES, compression=None, legacy=False)
            self._ws = opener.__enter__()  # closed by close()
        except Exception as e:
            raise RemoteConnectionLost(f"cannot open a session with {url}: {type(e).__name__}: {e}") from e
        self.closed = False

    def call(self, op: str, **fields: Any) -> Any:
        """Sends one request and returns its result (or raises the server's error)."""
        request_id = next(self._ids)
        message = json.dumps({"id": request_id, "op": op, **fields}, separators=(",", ":"))
        with self._lock:
            if self.closed:
                raise RemoteConnectionLost(f"the session with {self.url} is closed")
            try:
                self._ws.send(message)
                raw = self._ws.recv(self.reply_timeout_s)
                reply = p.REPLY.validate_json(raw)
                frames = [self._ws.recv(self.reply_timeout_s) for _ in range(reply.frames)]
            except (OSError, EOFError, TimeoutError, _closed_errors()) as e:
                self._drop()
                raise RemoteConnectionLost(f"lost the session with {self.url} during {op!r}: "
                                           f"{type(e).__name__}: {e}") from e
            except ValueError as e:
                self._drop()
                raise ProtocolError(f"the server at {self.url} sent a malformed reply: {str(e)[:300]}") from e
        if reply.error is not None:
            raise p.to_exception(reply.error)
        if reply.id != request_id:
            raise ProtocolError(f"reply to request {reply.id}, expected {request_id}")
        if any(not isinstance(f, bytes) for f in frames):
            raise ProtocolError("expected binary frames after the reply")
        return p.decode_arrays(reply.result, frames)

    def _drop(self) -> None:
        self.closed = True
        try:
            self._ws.close()
        except Exception:  # already broken
            pass

    def close(self) -> None:
        """Ends the session (the server closes its envs)."""
        with self._lock:
            if not self.closed:
                self._drop()


def _closed_errors() -> type[Exception]:
    return require("websockets.exceptions", "server").ConnectionClosed
