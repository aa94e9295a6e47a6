"""A blocking connection to `agora serve`: one session, one request at a time (thread-safe).

The caller's thread writes the request and reads the reply on the socket itself (`WireSocket`),
so a round trip costs no thread switch on the client.

Errors raised by the server come back as the same agora or builtin exception type; a failed or
closed connection raises `agora.errors.RemoteConnectionLost`.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from agora.errors import ProtocolError, RemoteConnectionLost
from agora.wire import protocol as p
from agora.wire.transport import WireSocket

MAX_REPLY_BYTES = 64 << 20
"""Largest reply frame a client accepts (a screenshot is about 1.4 MB)."""


def auth_headers(token: str | None) -> dict[str, str]:
    """The handshake headers that carry `token`."""
    return {"Authorization": f"Bearer {token}"} if token else {}


class Connection:
    """One WebSocket session with an env server."""

    def __init__(
        self, url: str, token: str | None = None, *, open_timeout_s: float = 10.0, reply_timeout_s: float | None = 600.0
    ):
        self.url = url
        self.token = token
        self.reply_timeout_s = reply_timeout_s
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        try:
            self._ws = WireSocket(url, auth_headers(token), open_timeout_s=open_timeout_s, max_size=MAX_REPLY_BYTES)
        except Exception as e:
            raise RemoteConnectionLost(f"cannot open a session with {url}: {type(e).__name__}: {e}") from e
        self._ws.settimeout(reply_timeout_s)
        self.closed = False

    def call(self, op: str, **fields: Any) -> Any:
        """Sends one request and returns its result (or raises the server's error)."""
        request_id = next(self._ids)
        message = _dumps({"id": request_id, "op": op, **fields})
        with self._lock:
            if self.closed:
                raise RemoteConnectionLost(f"the session with {self.url} is closed")
            try:
                self._ws.send_text(message)
                reply = p.parse_reply(self._ws.recv())
                frames = [self._ws.recv() for _ in range(reply.frames)]
            except (OSError, EOFError) as e:
                self._drop()
                raise RemoteConnectionLost(
                    f"lost the session with {self.url} during {op!r}: {type(e).__name__}: {e}"
                ) from e
            except ValueError as e:
                self._drop()
                raise ProtocolError(f"the server at {self.url} sent a malformed reply: {str(e)[:300]}") from e
        if reply.error is not None:
            raise p.to_exception(reply.error)
        if reply.id != request_id:
            raise ProtocolError(f"reply to request {reply.id}, expected {request_id}")
        binary = [f for f in frames if isinstance(f, bytes)]
        if len(binary) != len(frames):
            raise ProtocolError("expected binary frames after the reply")
        return p.decode_arrays(reply.result, binary)

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


def _dumps(request: dict[str, Any]) -> bytes:
    """A request as UTF-8 JSON."""
    if p.orjson is not None:
        try:
            return p.orjson.dumps(request)
        except TypeError:  # integers over 64 bits: the standard library writes them
            pass
    return json.dumps(request, separators=(",", ":")).encode()
