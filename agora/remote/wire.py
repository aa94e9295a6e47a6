"""A blocking WebSocket client socket without a reader thread (the transport of `agora.remote.Connection`).

The RFC 6455 rules (handshake and its ``Sec-WebSocket-Accept`` check, client masking, fragmented
messages, ping/pong, the closing handshake, the size limit, protocol errors) are websockets'
Sans-I/O `ClientProtocol`; this module only moves its bytes over one blocking socket with
``TCP_NODELAY``. websockets' own sync client hands every message from a reader thread to the
caller, which costs a thread switch per reply; here the caller's thread reads the socket itself.
"""

from __future__ import annotations

import collections
import socket
import ssl
from typing import Any

from agora._optional import require

_READ = 1 << 16


class WireSocket:
    """One client WebSocket connection; `send_text` and `recv` block the calling thread.

    Args:
        url: ``ws://`` or ``wss://`` address.
        headers: extra handshake headers (the token).
        open_timeout_s: limit for the TCP connect and the opening handshake.
        max_size: largest message accepted (a larger one fails the connection, close code 1009).

    Raises:
        OSError: the connection or the handshake failed (the message says why, e.g. HTTP 401).
    """

    def __init__(self, url: str, headers: dict[str, str], *, open_timeout_s: float, max_size: int):
        client = require("websockets.client", "server")
        uri = require("websockets.uri", "server").parse_uri(url)
        self.protocol = client.ClientProtocol(uri, max_size=max_size)
        self._events: collections.deque[Any] = collections.deque()
        sock = socket.create_connection((uri.host, uri.port), timeout=open_timeout_s)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if uri.secure:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=uri.host)
            self.sock = sock
            self._handshake(headers)
        except BaseException:
            sock.close()
            raise

    def _handshake(self, headers: dict[str, str]) -> None:
        request = self.protocol.connect()
        for name, value in headers.items():
            request.headers[name] = value
        self.protocol.send_request(request)
        self._flush()
        while not self._events:
            self._fill()
        self._events.popleft()  # the HTTP response; frames that came with it stay queued
        if self.protocol.handshake_exc is not None:
            raise ConnectionError(f"{type(self.protocol.handshake_exc).__name__}: {self.protocol.handshake_exc}")

    def settimeout(self, timeout_s: float | None) -> None:
        """Limit of each blocking read (None: wait forever); a timeout raises `TimeoutError`."""
        self.sock.settimeout(timeout_s)

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)
            else:  # the protocol ends the stream (after a close frame)
                try:
                    self.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

    def _fill(self) -> None:
        data = self.sock.recv(_READ)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        try:
            self._flush()  # pongs, the close frame answering the server's
        except OSError:  # the server is gone already: what it sent (its close code) still counts
            pass
        self._events.extend(self.protocol.events_received())
        if self.protocol.parser_exc is not None:
            raise ConnectionError(f"{type(self.protocol.parser_exc).__name__}: {self.protocol.parser_exc}")
        if not data and not self._events:
            raise EOFError("the server closed the connection")

    def send_text(self, text: str | bytes) -> None:
        """Sends one text message (`text` as str, or already UTF-8 encoded)."""
        self.protocol.send_text(text.encode() if isinstance(text, str) else text)
        self._flush()

    def recv(self) -> str | bytes:
        """The next message: `str` for a text message, `bytes` for a binary one.

        Raises:
            EOFError: the server closed the connection (a close frame or the end of the stream).
            UnicodeDecodeError: a text message that is not UTF-8.
        """
        frames = self._events
        parts: list[bytes] = []
        kind = None
        while True:
            while not frames:
                self._fill()
            frame = frames.popleft()
            name = frame.opcode.name
            if name == "CLOSE":
                raise EOFError(f"the server closed the session: {self.protocol.close_rcvd}")
            if name in ("PING", "PONG"):  # the pong already went out in _fill
                continue
            if name != "CONT":
                kind = name
            if frame.fin and not parts:
                data = frame.data
                break
            parts.append(frame.data)
            if frame.fin:
                data = b"".join(parts)
                break
        return bytes(data).decode() if kind == "TEXT" else bytes(data)

    def close(self) -> None:
        """Starts the closing handshake and closes the socket (quietly when already broken)."""
        try:
            if self.protocol.state.name == "OPEN":
                self.protocol.send_close()
                self._flush()
        except OSError:
            pass
        finally:
            self.sock.close()
