"""The server's shortcuts agree with what they skip: `parse_step` with pydantic, `single_frame` with websockets' parser.

Each shortcut may only accept what the full path accepts, with the same result; it refuses nothing
itself (anything else takes the full path). Both get the same hostile corpus here.
"""

from __future__ import annotations

import functools
import json
import random
import socket
import time

import pytest
from websockets.frames import Frame, Opcode
from websockets.protocol import Protocol, Side, State

import agora.remote
from agora.env_calls import InlinePolicy
from agora.errors import ProtocolError
from agora.server.app import ServerThread
from agora.wire import protocol as p
from agora.wire.transport import WireSocket, at_frame_boundary, single_frame

VALID_STEPS = [
    '{"id":1,"op":"step","handle":0,"action":"[4]"}',
    '{"op":"step","handle":3,"id":0}',
    '{"id":9007199254740991,"op":"step","handle":0,"action":null}',
    '{"id":2,"op":"step","handle":9223372036854775807,"action":{"tool":"sql","args":{"q":"select 1"}}}',
    '{"id":3,"op":"step","handle":1,"action":[1,2.5,true,null,"x",{"a":[]}]}',
    '{"id":4,"op":"step","handle":1,"action":"h\\u00e9 \\ud83d\\ude00 \u00e9\u4e2d"}',
    '{"id":5,"op":"step","handle":1,"action":-3}',
    ' { "id" : 6 , "op" : "step" , "handle" : 2 , "action" : 1e3 } ',
    '{"id":7,"op":"step","handle":0,"action":' + "[" * 32 + "]" * 32 + "}",
]
HOSTILE = [
    '{"id":1,"op":"step","handle":0,"action":' + "[" * 33 + "]" * 33 + "}",  # one level too deep
    '{"id":1,"op":"step","handle":0,"action":' + "[" * 5000 + "]" * 5000 + "}",
    '{"id":1,"op":"step","handle":0,"action":"x","extra":1}',
    '{"id":1,"op":"Step","handle":0}',
    '{"id":1,"handle":0,"action":"x"}',
    '{"op":"step","handle":0}',
    '{"id":1,"op":"step"}',
    '{"id":1,"op":"reset","handle":0}',
    '{"id":1,"op":"reset","op":"step","handle":0}',
    '{"id":1,"op":"step","op":"reset","handle":0}',
    '{"id":1,"id":2,"op":"step","handle":0}',
    '{"id":1.0,"op":"step","handle":0}',
    '{"id":"1","op":"step","handle":0}',
    '{"id":true,"op":"step","handle":0}',
    '{"id":null,"op":"step","handle":0}',
    '{"id":-1,"op":"step","handle":0}',
    '{"id":9007199254740992,"op":"step","handle":0}',
    '{"id":1,"op":"step","handle":-1}',
    '{"id":1,"op":"step","handle":1.5}',
    '{"id":1,"op":"step","handle":2.0}',
    '{"id":1,"op":"step","handle":"0"}',
    '{"id":1,"op":"step","handle":false}',
    '{"id":1,"op":"step","handle":18446744073709551615}',
    '{"id":1,"op":"step","handle":18446744073709551616}',
    '{"id":1,"op":"step","handle":' + "9" * 400 + "}",
    '{"id":1e0,"op":"step","handle":0}',
    '{"id":1,"op":"step","handle":0,"action":NaN}',
    '{"id":1,"op":"step","handle":0,"action":Infinity}',
    '{"id":1,"op":"step","handle":0,"action":1e999}',
    '{"id":1,"op":"step","handle":0,"action":"\\ud800"}',
    '{"id":1,"op":"step","handle":0,"action":"\\u0000"}',
    '{"id":1,"op":"step","handle":0,}',
    '{"id":1,"op":"step","handle":0} x',
    '\ufeff{"id":1,"op":"step","handle":0}',
    "[1]",
    '"step"',
    "1",
    "",
    " ",
    "null",
    '{"id":1,"op":"step","handle":0 /* c */}',
    "{'id':1,'op':'step','handle':0}",
    '{"id":1,"op":"step","handle":0,"action":"\t"}',
    '{"id":1,"op":"step","handle":0,"action":"a\x00b"}',
    '{"id":1,"op":"step","handle":0,"action":' + '"' + "x" * 2000 + '"}',
]
JSON_BITS = list('{}[]":,0123456789-+.eE \\ntruefalsnul') + [
    '"op"',
    '"step"',
    '"id"',
    '"handle"',
    '"action"',
    "\\u",
    "\u00e9",
    "\x00",
    "\ud800",
]


def _mutants(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = list(rng.choice(VALID_STEPS + HOSTILE[:20]))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            kind = rng.random()
            if kind < 0.4 and text:
                del text[min(at, len(text) - 1)]
            elif kind < 0.8:
                text.insert(at, rng.choice(JSON_BITS))
            elif text:
                text[min(at, len(text) - 1)] = rng.choice(JSON_BITS)
        out.append("".join(text))
    return out


def _pydantic(raw: str, max_bytes: int):
    try:
        return p.parse_request(raw, max_bytes)
    except ProtocolError:
        return None


@pytest.mark.parametrize("max_bytes", [1 << 20, 60])
def test_parse_step_accepts_only_what_pydantic_accepts_with_the_same_fields(max_bytes: int) -> None:
    accepted = 0
    for raw in VALID_STEPS + HOSTILE + _mutants(0, 4000):
        try:
            data = raw.encode()
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 frame can carry it
            data = raw.encode("utf-8", "surrogatepass")
        fast = p.parse_step(data, max_bytes)
        if fast is None:
            continue
        accepted += 1
        slow = _pydantic(raw, max_bytes)
        assert isinstance(slow, p.StepRequest), raw
        assert (fast.id, fast.op, fast.handle) == (slow.id, slow.op, slow.handle), raw
        assert json.dumps(fast.action) == json.dumps(slow.action), raw  # same JSON types (1 vs 1.0 vs true)
    if max_bytes > 1000:
        assert all(p.parse_step(raw.encode(), max_bytes) is not None for raw in VALID_STEPS)
        assert accepted > len(VALID_STEPS) + 30  # some mutants are valid steps too (67 of 4000 here)
    assert p.parse_step(b'{"id":1,"op":"step","handle":0,"action":"\xff"}', max_bytes) is None  # not UTF-8


@functools.cache
def _frames() -> list[bytes]:
    out = []
    for opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT, Opcode.PING, Opcode.CLOSE):
        for size in (0, 1, 125, 126, 127, 65535, 65536, 70000):
            payload = random.Random(size).randbytes(size) if opcode is not Opcode.CLOSE else b"\x03\xe8bye"
            for fin in (True, False):
                for rsv1 in (False, True):
                    for mask in (True, False):
                        if opcode in (Opcode.PING, Opcode.CLOSE) and (size > 125 or not fin):
                            continue
                        data = bytearray(Frame(opcode, payload, fin=fin).serialize(mask=mask))
                        data[0] |= 0x40 if rsv1 else 0  # websockets will not write a reserved bit
                        out.append(bytes(data))
    rng = random.Random(1)
    more = []
    for data in out[:120]:
        more += [data[:-1], data + b"\x81\x00", data[: rng.randrange(1, len(data))], data + b"x"]
        flipped = bytearray(data)
        flipped[rng.randrange(min(len(data), 12))] ^= 1 << rng.randrange(8)
        more.append(bytes(flipped))
    more += [rng.randbytes(rng.randrange(2, 40)) for _ in range(3000)]
    more += [b"\x81\x7e\x00\x05" + b"\x00" * 9, b"\x81\x7f" + (5).to_bytes(8, "big") + b"\x00" * 9]  # long lengths
    return out + more


@pytest.mark.parametrize("masked", [True, False])
@pytest.mark.parametrize("max_size", [1 << 16, 100])
def test_single_frame_accepts_only_what_websockets_delivers_with_the_same_payload(masked: bool, max_size: int) -> None:
    accepted = 0
    for data in _frames():
        fast = single_frame(data, masked=masked, max_size=max_size)
        if fast is None:
            continue
        accepted += 1
        ws = Protocol(Side.SERVER if masked else Side.CLIENT, state=State.OPEN, max_size=max_size)
        assert at_frame_boundary(ws)
        ws.receive_data(data)
        events = ws.events_received()
        assert ws.parser_exc is None and len(events) == 1, data[:20]
        assert (events[0].opcode.value, events[0].data, events[0].fin) == (fast[0], fast[1], True)
        assert at_frame_boundary(ws)  # and websockets' parser waits for the next frame, as the shortcut assumes
    assert accepted >= 12 if max_size > 100 else accepted >= 4


def test_frame_boundary_is_seen_inside_a_frame_and_a_fragmented_message() -> None:
    ws = Protocol(Side.SERVER, state=State.OPEN)
    data = Frame(Opcode.TEXT, b"hello").serialize(mask=True)
    for cut in range(1, len(data)):  # a read that ends inside the header, the mask or the payload
        ws.receive_data(data[:cut])
        assert not at_frame_boundary(ws)
        ws.receive_data(data[cut:])
        assert [e.data for e in ws.events_received()] == [b"hello"] and at_frame_boundary(ws)
    ws.receive_data(Frame(Opcode.TEXT, b"he", fin=False).serialize(mask=True))
    assert not at_frame_boundary(ws)  # a continuation frame is due: websockets must see it
    ws.receive_data(Frame(Opcode.CONT, b"llo").serialize(mask=True))
    assert len(ws.events_received()) == 2 and at_frame_boundary(ws)


def test_a_request_split_over_reads_is_answered_and_the_fast_path_resumes() -> None:
    with ServerThread() as server:
        env = agora.remote.make(server.url, "example/CountUp-v0", target=1000)
        env.reset(seed=0)
        for k in range(40):  # the server measures the env fast and inlines its steps
            env.step(str(k + 1))
        assert server.server.timer.inline("example/CountUp-v0")
        link = env._link
        ws: WireSocket = link.conn._ws
        request = json.dumps({"id": 10_000, "op": "step", "handle": link.handle, "action": "41"}).encode()
        frame = Frame(Opcode.TEXT, request).serialize(mask=True)
        ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for part in (frame[:1], frame[1:7], frame[7:20], frame[20:]):  # header, mask, payload in pieces
            ws.sock.sendall(part)
            time.sleep(0.02)
        reply = p.parse_reply(ws.recv())
        assert reply.id == 10_000 and reply.error is None and reply.result["reward"] == 1.0
        (conn,) = server.server.connections.values()
        assert at_frame_boundary(conn.protocol)  # websockets parsed the split frame and waits for the next one
        link.conn._ids = iter(range(10_001, 10_100))
        _, reward, _, _, info = env.step("42")  # so the next read may take the shortcut again
        assert reward == 1.0 and "infra_error" not in info
        env.close()


def test_inline_policy_counts_decide_as_the_sorted_window_does() -> None:
    rng = random.Random(3)
    for trial in range(200):
        window, max_slow = rng.choice([4, 5, 32]), rng.randrange(3)
        timer = InlinePolicy(inline_below_s=0.001, window=window, never_inline_above_s=0.01, max_slow=max_slow)
        seen: list[float] = []
        for _ in range(rng.randrange(1, 120)):
            took = rng.choice([0.0001, 0.0005, 0.001, 0.002, 0.01, 0.05])
            timer.observe("id", took)
            seen.append(took)
            times = sorted(seen[-window:])
            slow = sum(t > 0.01 for t in times)
            expected = len(times) == window and slow <= max_slow and times[len(times) // 2] < 0.001
            assert timer.inline("id") == expected, (trial, seen[-window:])
