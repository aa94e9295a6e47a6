"""The wire protocol of `agora serve`: typed requests, replies, values, spaces and errors.

A connection is a session. The client sends one JSON text frame per request and waits for its
reply (one JSON text frame, then ``frames`` binary frames when the value holds arrays):

====================  ==========================================================  ===================
``op``                fields                                                      result
====================  ==========================================================  ===================
``make``              ``env_id``, ``kwargs``                                      ``handle``, ``spec``
``reset``             ``handle``, ``seed``, ``options``                           env: ``obs``, ``info``;
                                                                                  game: ``state``
``step``              ``handle``, ``action``                                      env: ``obs``, ``reward``,
                                                                                  ``terminated``, ``truncated``,
                                                                                  ``info``; game: ``state``
``observe``           ``handle``, ``agent``                                       the agent's observation
``last``              ``handle``                                                  ``[obs, reward, term, trunc, info]``
``agent_selection``   ``handle``                                                  the agent to move
``private_info``      ``handle``, ``agent``                                       the agent's own secret
``render``            ``handle``                                                  the rendering
``close``             ``handle``                                                  null
``spec``              ``env_id``                                                  the registry entry
``list``              ``family``                                                  the registered ids
====================  ==========================================================  ===================

A game's ``state`` is everything the AEC API reads (agents, agent to move, rewards, cumulative
rewards, terminations, truncations, every agent's info, and the observation of the agent to move),
so ``last()`` and ``agent_iter()`` need no round trip. Arrays (screenshots) travel as binary
frames in the order of the ``{"__nd__": [index, dtype, shape]}`` placeholders that stand for them.
An error reply carries the exception's class name, module and message; the client raises the same
agora (or builtin) exception type.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
from gymnasium import spaces
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from agora.errors import AgoraError, ProtocolError, RemoteEnvError
from agora.spaces import TextSpace

try:  # about 20x faster than the standard library on replies; `encode` and `parse_reply` fall back to json
    import orjson
except ImportError:  # pragma: no cover - the server extra installs it
    orjson = None  # type: ignore[assignment]

MAX_MESSAGE_BYTES = 1 << 20
"""Default limit of one request frame; a larger one gets an error frame (the session goes on)."""
MAX_JSON_DEPTH = 32
ND_KEY = "__nd__"
_ARRAY_DTYPES = frozenset({"uint8", "int8", "uint16", "int16", "int32", "int64", "float32", "float64", "bool"})


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int = Field(ge=0, lt=1 << 53)


class MakeRequest(_Request):
    """Builds a registered env in this session."""

    op: Literal["make"]
    env_id: str = Field(max_length=200)
    kwargs: dict[str, Any] = Field(default_factory=dict)


class ResetRequest(_Request):
    """Starts an episode of one of the session's envs."""

    op: Literal["reset"]
    handle: int = Field(ge=0)
    seed: int | None = Field(default=None, ge=0, lt=1 << 63)
    options: dict[str, Any] | None = None


class StepRequest(_Request):
    """Plays one action (text, or a JSON tool call object) in one of the session's envs."""

    op: Literal["step"]
    handle: int = Field(ge=0)
    action: Any = None


class HandleRequest(_Request):
    """A call on one env that needs nothing but its handle."""

    op: Literal["close", "last", "agent_selection", "render"]
    handle: int = Field(ge=0)


class AgentRequest(_Request):
    """A per-agent call on a game."""

    op: Literal["observe", "private_info"]
    handle: int = Field(ge=0)
    agent: str = Field(max_length=200)


class SpecRequest(_Request):
    """The registry entry of an env id."""

    op: Literal["spec"]
    env_id: str = Field(max_length=200)


class ListRequest(_Request):
    """The registered env ids, optionally of one family."""

    op: Literal["list"]
    family: str | None = Field(default=None, max_length=100)


Request = Annotated[
    MakeRequest | ResetRequest | StepRequest | HandleRequest | AgentRequest | SpecRequest | ListRequest,
    Field(discriminator="op"),
]
REQUEST = TypeAdapter(Request)


class ErrorInfo(BaseModel):
    """An exception raised on the server: its class name, module and message."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(max_length=200)
    module: str = Field(max_length=200)
    message: str


class Reply(BaseModel):
    """The answer to request `id`: `result` or `error`; `frames` binary frames follow it."""

    model_config = ConfigDict(extra="forbid")
    id: int | None = None
    result: Any = None
    error: ErrorInfo | None = None
    frames: int = Field(default=0, ge=0, le=64)


class StepCall(NamedTuple):
    """The fields of a validated `StepRequest`, as `parse_step` reads them (cheaper to build than the model)."""

    id: int
    handle: int
    action: Any
    op: str = "step"


class ReplyFields(NamedTuple):
    """The fields of a validated `Reply`, as `parse_reply` reads them."""

    id: int | None
    result: Any
    error: ErrorInfo | None
    frames: int


REPLY = TypeAdapter(Reply)
_REPLY_KEYS = frozenset(Reply.model_fields)
_ERROR_KEYS = frozenset(ErrorInfo.model_fields)


def loads(raw: str | bytes) -> Any:
    """A JSON value (orjson when installed; the standard library for NaN and integers over 64 bits)."""
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("the JSON value nests too deep") from None


def parse_reply(raw: str | bytes) -> ReplyFields:
    """Validates one reply frame as `REPLY` does (unknown fields rejected), without pydantic's cost.

    Raises:
        ValueError: the frame is not a valid reply.
    """
    value = loads(raw)
    if not isinstance(value, dict) or not value.keys() <= _REPLY_KEYS:
        raise ValueError(f"not a reply object: {str(raw)[:200]}")
    rid, frames, error = value.get("id"), value.get("frames", 0), value.get("error")
    if rid is not None and (type(rid) is not int):
        raise ValueError(f"reply id {rid!r:.50} is not an integer")
    if type(frames) is not int or not 0 <= frames <= 64:
        raise ValueError(f"reply frames {frames!r:.50} is not an integer in [0, 64]")
    if error is not None:
        if not isinstance(error, dict) or error.keys() != _ERROR_KEYS:
            raise ValueError(f"malformed error in reply: {error!r:.200}")
        error = ErrorInfo.model_validate(error)
    return ReplyFields(rid, value.get("result"), error, frames)


# ------------------------------------------------------------------------------------------ values
def encode(value: Any) -> tuple[str, list[bytes]]:
    """JSON text for `value` with its arrays taken out as binary frames (see the module docs).

    Numpy scalars become numbers, sets sorted lists, other objects their repr; a NaN or infinite
    float becomes null (JSON has no such numbers).
    """
    frames: list[bytes] = []

    def default(obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            frames.append(np.ascontiguousarray(obj).tobytes())
            return {ND_KEY: [len(frames) - 1, obj.dtype.name, list(obj.shape)]}
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, (set, frozenset)):
            return sorted(obj, key=repr)
        return repr(obj)

    if orjson is not None:
        try:
            return orjson.dumps(value, default=default, option=orjson.OPT_NON_STR_KEYS).decode(), frames
        except TypeError:  # integers over 64 bits, keys orjson cannot write: the standard library decides
            frames.clear()
    return json.dumps(value, default=default, separators=(",", ":")), frames


def encode_reply(request_id: int | None, result: Any = None, error: ErrorInfo | None = None) -> tuple[str, list[bytes]]:
    """The reply frame(s) for one request."""
    if error is not None:
        return json.dumps({"id": request_id, "error": error.model_dump()}), []
    text, frames = encode(result)
    tail = f',"frames":{len(frames)}}}' if frames else "}"
    rid = "null" if request_id is None else int(request_id)
    return f'{{"id":{rid},"result":{text}{tail}', frames


def decode_arrays(value: Any, frames: list[bytes]) -> Any:
    """Puts the arrays of `frames` back where their placeholders stand in `value`."""
    if not frames:
        return value
    if isinstance(value, dict):
        if set(value) == {ND_KEY}:
            return _array(value[ND_KEY], frames)
        return {k: decode_arrays(v, frames) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_arrays(v, frames) for v in value]
    return value


def _array(spec: Any, frames: list[bytes]) -> np.ndarray:
    index, dtype, shape = spec
    if dtype not in _ARRAY_DTYPES or not 0 <= index < len(frames):
        raise ProtocolError(f"bad array placeholder {spec!r:.100}")
    array = np.frombuffer(frames[index], dtype=dtype)
    return array.reshape([int(s) for s in shape]).copy()


def hashable(value: Any) -> Any:
    """JSON lists back to tuples (state keys must stay hashable across the wire)."""
    if isinstance(value, list):
        return tuple(hashable(v) for v in value)
    return value


def fix_info(info: dict[str, Any]) -> dict[str, Any]:
    """An info dict as the env made it: its ``state_key`` hashable again."""
    if "state_key" in info:
        info["state_key"] = hashable(info["state_key"])
    return info


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raises `ProtocolError` when a decoded JSON value nests deeper than `limit`."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise ProtocolError(f"the message nests deeper than {limit} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


# ------------------------------------------------------------------------------------------ spaces
def describe_space(space: spaces.Space) -> dict[str, Any]:
    """A JSON description of a space the client can rebuild (`build_space`)."""
    if isinstance(space, TextSpace):
        return {"type": "text", "min_length": space.min_length, "max_length": space.max_length}
    if isinstance(space, spaces.Text):
        return {
            "type": "gym_text",
            "min_length": space.min_length,
            "max_length": space.max_length,
            "charset": "".join(sorted(space.character_set)),
        }
    if isinstance(space, spaces.Discrete):
        return {"type": "discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.Box):
        return {
            "type": "box",
            "low": _bound(space.low),
            "high": _bound(space.high),
            "shape": list(space.shape),
            "dtype": space.dtype.name,
        }
    if isinstance(space, spaces.Dict):
        return {"type": "dict", "spaces": {k: describe_space(s) for k, s in space.spaces.items()}}
    raise ProtocolError(f"a {type(space).__name__} space cannot travel over agora's protocol yet")


def _bound(values: np.ndarray) -> Any:
    flat = values.reshape(-1)
    if flat.size and (flat == flat[0]).all():
        return flat[0].item()
    return values.tolist()


def build_space(desc: dict[str, Any]) -> spaces.Space:
    """The space `describe_space` described."""
    kind = desc.get("type")
    if kind == "text":
        return TextSpace(desc["max_length"], min_length=desc["min_length"])
    if kind == "gym_text":
        return spaces.Text(desc["max_length"], min_length=desc["min_length"], charset=desc["charset"])
    if kind == "discrete":
        return spaces.Discrete(desc["n"], start=desc["start"])
    if kind == "box":
        dtype, shape = np.dtype(desc["dtype"]), tuple(desc["shape"])
        low, high = (np.broadcast_to(np.asarray(desc[k], dtype), shape) for k in ("low", "high"))
        return spaces.Box(low, high, shape, dtype)
    if kind == "dict":
        return spaces.Dict({k: build_space(v) for k, v in desc["spaces"].items()})
    raise ProtocolError(f"unknown space description {desc!r:.200}")


# ------------------------------------------------------------------------------------------ errors
def error_info(error: BaseException) -> ErrorInfo:
    """The wire form of an exception raised by an env or by the server."""
    cls = type(error)
    return ErrorInfo(type=cls.__name__, module=cls.__module__, message=str(error)[:8192])


def _agora_error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    todo: list[type[BaseException]] = [AgoraError]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return found


_BUILTIN_ERRORS = {
    cls.__name__: cls
    for cls in (
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        RuntimeError,
        NotImplementedError,
        AttributeError,
        TimeoutError,
        OSError,
        AssertionError,
        ZeroDivisionError,
    )
}


def to_exception(info: ErrorInfo) -> BaseException:
    """The exception an error reply stands for: the same agora or builtin type, with its message.

    Only agora's own exception classes (already imported) and common builtins are rebuilt; nothing
    is imported by name from the wire. Anything else becomes `RemoteEnvError` naming the type.
    """
    cls: type[BaseException] | None = None
    if info.module == "builtins":
        cls = _BUILTIN_ERRORS.get(info.type)
    elif info.module.startswith("agora."):
        cls = _agora_error_classes().get(info.type)
    if cls is None:
        return RemoteEnvError(f"{info.module}.{info.type}: {info.message}")
    error = cls.__new__(cls)
    Exception.__init__(error, info.message)
    return error


def parse_request(raw: str | bytes, max_bytes: int) -> Any:
    """Validates one request frame; raises `ProtocolError` with what was wrong."""
    if isinstance(raw, bytes):
        raise ProtocolError("requests are JSON text frames, not binary frames")
    if len(raw) > max_bytes:
        raise ProtocolError(f"the request has {len(raw)} characters; the limit is {max_bytes}")
    try:
        request = REQUEST.validate_json(raw)
    except ValueError as e:
        raise ProtocolError(f"malformed request: {str(e)[:500]}") from None
    if isinstance(request, MakeRequest):
        check_depth(request.kwargs)
    elif isinstance(request, StepRequest) and not isinstance(request.action, str):
        check_depth(request.action)
    elif isinstance(request, ResetRequest) and request.options:
        check_depth(request.options)
    return request


_STEP_KEYS = frozenset({"id", "op", "handle", "action"})


def parse_step(raw: bytes, max_bytes: int) -> StepCall | None:
    """A ``step`` request read without pydantic's cost, or None to leave the frame to `parse_request`.

    The hot path of a rollout. It accepts only what `parse_request` accepts, with the same fields
    (a JSON object with no key outside those of `StepRequest`, ``action`` optional, integers where
    they must be, the same bounds and depth limit), and refuses nothing itself: anything else
    (another op, floats or strings for integers, unknown keys, invalid UTF-8, NaN, big integers)
    returns None and gets `parse_request`'s answer. tests/server/test_wire_agreement.py feeds both
    the same hostile corpus.
    """
    if orjson is None or len(raw) > max_bytes:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(value) is not dict or value.get("op") != "step" or not value.keys() <= _STEP_KEYS:
        return None
    rid, handle, action = value.get("id"), value.get("handle"), value.get("action")
    if type(rid) is not int or not 0 <= rid < 1 << 53 or type(handle) is not int or handle < 0:
        return None
    if type(action) is not str:
        try:
            check_depth(action)
        except ProtocolError:
            return None
    return StepCall(rid, handle, action)


def request_id_of(raw: str | bytes) -> int | None:
    """The ``id`` of a request that failed validation, when it can be read (for the error reply)."""
    if isinstance(raw, bytes) or len(raw) > MAX_MESSAGE_BYTES:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    rid = value.get("id") if isinstance(value, dict) else None
    return rid if isinstance(rid, int) and not isinstance(rid, bool) else None
