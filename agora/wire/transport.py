"""A blocking WebSocket client socket without a reader thread (the transport of `agora.remote.Connection`).

The RFC 6455 rules (handshake and its ``Sec-WebSocket-Accept`` check, client masking, fragmented
messages, ping/pong, the closing handshake, the size limit, protocol errors) are websockets'
Sans-I/O `ClientProtocol`; this module only moves its bytes over one blocking socket with
``TCP_NODELAY``. websockets' own sync client hands every message from a reader thread to the
caller, which costs a thread switch per reply; here the caller's thread reads the socket itself.

`single_frame` and `frame_header` are a shortcut past websockets' generator-based frame parser
and its frame serializer for the common case, used on both ends (here and in
`agora.server.connection`): a read that holds exactly one whole, final, unfragmented text or
binary frame, taken only while websockets' parser waits at a frame boundary (`at_frame_boundary`).
Anything else (a frame split over reads, several frames in one read, control frames, reserved
bits, wrong masking, an oversized frame) goes to websockets, which accepts or fails it as before;
everything the shortcut accepts, websockets would have delivered with the same payload.
"""

from __future__ import annotations

import collections
import os
import socket
import ssl
import urllib.parse
from typing import Any

from agora._optional import require

_READ = 1 << 16
TEXT, BINARY = 0x1, 0x2
"""WebSocket opcodes of the data frames `single_frame` accepts."""


def single_frame(data: bytes, *, masked: bool, max_size: int) -> tuple[int, bytes] | None:
    """``(opcode, payload)`` when `data` is exactly one whole data frame, else None (see the module docs).

    The frame must have FIN set, no reserved bit, the text or binary opcode, a mask exactly when
    `masked` (frames from a client are masked, frames from a server are not) and at most `max_size`
    payload bytes.
    """
    size = len(data)
    if size < 2 or data[0] not in (0x80 | TEXT, 0x80 | BINARY) or bool(data[1] & 0x80) != masked:
        return None
    length, pos = data[1] & 0x7F, 2
    if length == 126:
        length, pos = int.from_bytes(data[2:4], "big"), 4
    elif length == 127:
        length, pos = int.from_bytes(data[2:10], "big"), 10
    end = pos + 4 if masked else pos
    if length > max_size or size - end != length:
        return None
    if masked:
        return data[0] & 0x0F, _apply_mask(data[end:], data[pos:end])
    return data[0] & 0x0F, data[end:]


def frame_header(opcode: int, length: int) -> bytes:
    """The header of an unmasked (server to client), final frame of `length` payload bytes."""
    if length < 126:
        return bytes((0x80 | opcode, length))
    if length < 1 << 16:
        return bytes((0x80 | opcode, 126)) + length.to_bytes(2, "big")
    return bytes((0x80 | opcode, 127)) + length.to_bytes(8, "big")


def at_frame_boundary(protocol: Any) -> bool:
    """Whether websockets' parser of `protocol` waits for the first byte of a frame, with nothing buffered.

    Only then (and outside a fragmented message) may a read skip the parser (`single_frame`) and leave it
    consistent: a data frame changes none of its state.
    """
    if protocol.current_size is not None or protocol.reader.buffer:
        return False
    outer, inner = None, protocol.parser  # the side's parse() delegates to Protocol.parse() after the handshake
    while getattr(inner, "gi_yieldfrom", None) is not None:
        outer, inner = inner, inner.gi_yieldfrom
    return outer is not None and outer.gi_code is _PARSE_CODE and inner.gi_code is _AT_EOF_CODE


def _websockets_internals() -> tuple[Any, Any, Any]:
    """The code objects `at_frame_boundary` recognises, and websockets' (C) unmasking function."""
    frames = require("websockets.frames", "server")
    protocol = require("websockets.protocol", "server")
    streams = require("websockets.streams", "server")
    return protocol.Protocol.parse.__code__, streams.StreamReader.at_eof.__code__, frames.apply_mask


try:
    _PARSE_CODE, _AT_EOF_CODE, _apply_mask = _websockets_internals()
except ImportError:  # pragma: no cover - the server extra is missing; WireSocket names it when used
    _PARSE_CODE = _AT_EOF_CODE = _apply_mask = None


def open_socket(uri: Any, timeout_s: float) -> socket.socket:
    """A TCP connection towards `uri` (a websockets ``WebSocketURI``), through a proxy as websockets' clients dial.

    The proxy comes from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``WS_PROXY``
    and their lowercase forms; ``NO_PROXY`` bypasses it) through websockets' own `get_proxy`, and the
    tunnel is websockets' own: HTTP CONNECT for ``http://`` and ``https://`` proxies, SOCKS for
    ``socks5h://`` and the like (that one needs ``python-socks``).

    Raises:
        OSError: the connection or the proxy failed (`ConnectionError` naming the proxy).
    """
    proxies = require("websockets.proxy", "server")
    proxy = proxies.get_proxy(uri)
    if proxy is None:
        return socket.create_connection((uri.host, uri.port), timeout=timeout_s)
    dial = require("websockets.sync.client", "server")
    deadline = require("websockets.sync.utils", "server").Deadline(timeout_s)
    try:
        parsed = proxies.parse_proxy(proxy)
        if uri.secure and parsed.scheme == "https":  # TLS inside TLS: websockets' sync client only
            raise ValueError(
                "agora's client cannot reach a wss:// server through an https:// proxy; "
                "use an http:// proxy or list the server in NO_PROXY"
            )
        if parsed.scheme.startswith("socks"):
            sock = dial.connect_socks_proxy(parsed, uri, deadline)
        else:
            sock = dial.connect_http_proxy(parsed, uri, deadline)
    except OSError:
        raise
    except Exception as e:  # websockets' InvalidProxy(Status), ProxyError, a missing python-socks
        where = urllib.parse.urlsplit(proxy)  # named without its credentials
        raise ConnectionError(
            f"through the proxy {where.scheme}://{where.hostname}:{where.port}: {type(e).__name__}: {e}"
        ) from e
    sock.settimeout(timeout_s)
    return sock


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
        self.max_size = max_size
        self._open_state = require("websockets.protocol", "server").State.OPEN
        self._events: collections.deque[Any] = collections.deque()
        sock = open_socket(uri, open_timeout_s)
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
        self._feed(self.sock.recv(_READ))

    def _feed(self, data: bytes) -> None:
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
        data = text.encode() if isinstance(text, str) else text
        protocol = self.protocol
        if protocol.state is self._open_state and not protocol.expect_continuation_frame and not protocol.writes:
            mask = os.urandom(4)  # as websockets masks: a fresh random key per frame
            header = bytearray(frame_header(TEXT, len(data)))
            header[1] |= 0x80
            self.sock.sendall(bytes(header) + mask + _apply_mask(data, mask))
            return
        protocol.send_text(data)
        self._flush()

    def recv(self) -> str | bytes:
        """The next message: `str` for a text message, `bytes` for a binary one.

        Raises:
            EOFError: the server closed the connection (a close frame or the end of the stream).
            UnicodeDecodeError: a text message that is not UTF-8.
        """
        frames = self._events
        if not frames and self.protocol.state is self._open_state and at_frame_boundary(self.protocol):
            data = self.sock.recv(_READ)
            frame = single_frame(data, masked=False, max_size=self.max_size)
            if frame is not None:
                return frame[1].decode() if frame[0] == TEXT else frame[1]
            self._feed(data)
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
