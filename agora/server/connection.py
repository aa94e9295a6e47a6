"""The server side of one WebSocket connection, with a fast path for requests answered on the spot.

websockets hands every message to the connection's handler task through a queue and a future,
and every reply goes back through an async send with flow control: two event-loop turns per
request. A request that can be answered at once (a step of an env whose steps proved fast, see
`agora.env_calls.InlinePolicy`) is answered here, inside the callback that parsed the frame,
and its reply written in the same turn. Everything else takes the ordinary path, in order: the
fast path is skipped while any earlier request of the connection is still queued or being
answered, while the transport's write buffer is full (a client that does not read gets no more
replies written for it), and once the connection is closing.

The common request, one whole text frame in one read, skips websockets' frame parser too
(`agora.wire.transport.single_frame`, taken only while that parser waits at a frame boundary):
`data_received` answers it straight from the bytes read. Any other read, and any request the fast
path declines, goes to websockets' `data_received` untouched (and is not offered to the fast path a
second time). Fast replies skip websockets' frame serializer: their frames (unmasked, final) go out
in one `transport.write`.

This subclass relies on websockets' `Connection.data_received`, `process_event`, `protocol` (its
parser, reader buffer, `current_size`, `writes`, `expect_continuation_frame`, `send_close`),
`send_data`, `set_connection_exc`, `transport` and `paused` (websockets 17; the version is pinned
below 18 in the ``server`` extra; tests/server/test_fast_path.py and test_wire_agreement.py cover
each use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from agora.wire.transport import BINARY, TEXT, at_frame_boundary, frame_header, single_frame

FastAnswer = Callable[[bytes], "tuple[str, list[bytes]] | None"]
"""Reply frames for one text request frame, or None when the request must take the ordinary path."""
FAST_FRAME_MAX_BYTES = 1 << 16
"""Larger frames (and frames over the connection's limit) always go through websockets' parser."""


class FastPathConnection(ServerConnection):
    """A `ServerConnection` that answers requests accepted by `fast` in the callback that read them.

    Attributes:
        fast: set by the handler once the session exists; None keeps the ordinary path only.
        backlog: data frames handed to the handler task and not yet answered (see `answered`).
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fast: FastAnswer | None = None
        self.backlog = 0
        self._declined = False  # `fast` already declined the frame websockets is about to parse
        limit = self.protocol.max_message_size
        self._frame_max = FAST_FRAME_MAX_BYTES if limit is None else min(limit, FAST_FRAME_MAX_BYTES)

    def close_now(self, code: int, reason: str) -> None:
        """Sends a close frame and ends the TCP connection after it, without waiting for the client's.

        An idle `agora.remote` client reads its socket only when it makes its next call, so it would
        answer the close frame no sooner; it then finds the frame (and `code`) waiting in its buffer.
        """
        if self.protocol.state is State.OPEN:
            self.protocol.send_close(code, reason)
            try:
                self.send_data()
            except Exception as exc:  # already broken: closing is all that is left
                self.set_connection_exc(exc)
        self.transport.close()  # flushes what is buffered, then FIN

    def answered(self) -> None:
        """Called by the handler after it sent the reply to a request of the ordinary path."""
        self.backlog -= 1

    def _may_answer_now(self) -> bool:
        return (
            self.fast is not None
            and not self.backlog
            and not self.paused
            and not self._declined
            and self.protocol.state is State.OPEN
            and not self.protocol.writes
            and not self.protocol.expect_continuation_frame
        )

    def data_received(self, data: bytes) -> None:
        """Answers a read that is one whole request frame at once; gives anything else to websockets."""
        if self._may_answer_now() and at_frame_boundary(self.protocol):
            frame = single_frame(data, masked=True, max_size=self._frame_max)
            if frame is not None and frame[0] == TEXT and self.fast is not None:
                reply = self.fast(frame[1])
                if reply is not None:
                    self._write_reply(*reply)
                    return
                self._declined = True  # the ordinary path answers it: no second try in process_event
                try:
                    super().data_received(data)
                finally:
                    self._declined = False
                return
        super().data_received(data)

    def _write_reply(self, text: str, frames: list[bytes]) -> None:
        """Writes the reply's frames (unmasked, final) with one `transport.write`."""
        payload = text.encode()
        parts = [frame_header(TEXT, len(payload)), payload]
        for blob in frames:
            parts += (frame_header(BINARY, len(blob)), blob)
        try:
            self.transport.write(b"".join(parts))
        except Exception as exc:  # as websockets' send_data does with a failed write
            self.set_connection_exc(exc)

    def process_event(self, event: Any) -> None:
        """Answers a fast request at once; queues everything else for the handler (websockets' path)."""
        if not isinstance(event, Frame):  # the opening handshake's request
            super().process_event(event)
            return
        if event.opcode is Opcode.TEXT and event.fin and self._may_answer_now() and self.fast is not None:
            reply = self.fast(bytes(event.data))
            if reply is not None:
                self._write_reply(*reply)
                return
        if event.opcode is Opcode.TEXT or event.opcode is Opcode.BINARY:
            self.backlog += 1
        super().process_event(event)
