"""The OpenEnv-compatible endpoint of `agora serve`: ``ws://HOST:PORT/openenv/<env id>/ws``.

OpenEnv's generic client (``openenv.core.GenericEnvClient``, and what is built on it) connects with
``base_url="http://HOST:PORT/openenv/games/TicTacToe-v0"`` and speaks its WebSocket protocol:

* ``{"type": "reset", "data": {"seed": 0, "episode_id": "...", "options": {...}, "env_kwargs": {...}}}``
  (every field optional). The env is made on the first reset, and made again when ``env_kwargs``
  change. A turn-based game is played as the single-agent `GameEnv` against ``opponent`` (a scripted
  agent's name; ``"random"`` unless ``env_kwargs`` says otherwise).
* ``{"type": "step", "data": {"action": "[4]"}}``: the action is text, or a tool call object.
* ``{"type": "state"}`` and ``{"type": "close"}``.

Replies are ``{"type": "observation", "data": {"observation": {...}, "reward": r, "done": d}}``
where the observation holds ``text``, ``info`` (JSON), ``terminated``, ``truncated`` and, for
pixel envs, ``image`` as ``{"shape", "dtype", "base64"}``; ``{"type": "state", "data": {...}}``;
or ``{"type": "error", "data": {"message", "code"}}``, after which the session goes on. The
observation's ``info["infra_error"]`` marks an infrastructure failure, as everywhere in agora.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from agora.errors import ProtocolError
from agora.server.session import Session
from agora.wire import protocol as p
from agora.wire.protocol import MakeRequest, ResetRequest, StepRequest


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResetData(_Message):
    """Fields of an OpenEnv reset agora understands."""

    seed: int | None = Field(default=None, ge=0, lt=1 << 63)
    episode_id: str | None = Field(default=None, max_length=255)
    options: dict[str, Any] | None = None
    env_kwargs: dict[str, Any] | None = None


class StepData(_Message):
    """An OpenEnv step: the agent's action (text or a tool call object)."""

    action: str | dict[str, Any]


class ResetMessage(_Message):
    """``{"type": "reset", "data": {...}}``."""

    type: Literal["reset"]
    data: ResetData = Field(default_factory=ResetData)


class StepMessage(_Message):
    """``{"type": "step", "data": {"action": ...}}``."""

    type: Literal["step"]
    data: StepData


class StateMessage(_Message):
    """``{"type": "state"}``."""

    type: Literal["state"]


class CloseMessage(_Message):
    """``{"type": "close"}``."""

    type: Literal["close"]


MESSAGE = TypeAdapter(Annotated[ResetMessage | StepMessage | StateMessage | CloseMessage, Field(discriminator="type")])


class OpenEnvSession:
    """One OpenEnv connection: an agora `Session` with at most one env, and OpenEnv's episode state."""

    def __init__(self, session: Session, env_id: str):
        self.session = session
        self.env_id = env_id
        self.handle: int | None = None
        self.env_kwargs: dict[str, Any] | None = None
        self.episode_id: str | None = None
        self.step_count = 0
        self._ids = 0

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    async def reset(self, data: ResetData) -> dict[str, Any]:
        """(Re)makes the env when needed, resets it, and returns the observation payload."""
        kwargs = dict(data.env_kwargs or {})
        if self.handle is None or kwargs != self.env_kwargs:
            await self._make(kwargs)
        assert self.handle is not None  # _make set it or raised
        request = ResetRequest(id=self._next_id(), op="reset", handle=self.handle, seed=data.seed, options=data.options)
        result = await self.session.handle(request)
        self.episode_id, self.step_count = data.episode_id, 0
        return _payload(result["obs"], None, False, False, result["info"])

    async def _make(self, kwargs: dict[str, Any]) -> None:
        if self.handle is not None:
            self.handle = None
            await self.session.close()
        import agora

        creator = agora.spec(self.env_id).load()
        from pettingzoo import AECEnv

        if isinstance(creator, type) and issubclass(creator, AECEnv):
            kwargs = {"opponent": "random", **kwargs}
        made = await self.session.handle(MakeRequest(id=self._next_id(), op="make", env_id=self.env_id, kwargs=kwargs))
        self.handle, self.env_kwargs = made["handle"], dict(kwargs)
        if made["spec"]["kind"] != "env":
            raise ProtocolError(f"{self.env_id} made a multi-agent env; OpenEnv clients play single-agent envs")

    async def step(self, data: StepData) -> dict[str, Any]:
        """Plays one action; returns the observation payload."""
        if self.handle is None:
            raise ProtocolError("step before reset: send a reset first")
        r = await self.session.handle(
            StepRequest(id=self._next_id(), op="step", handle=self.handle, action=data.action)
        )
        self.step_count += 1
        return _payload(r["obs"], r["reward"], r["terminated"], r["truncated"], r["info"])

    def state(self) -> dict[str, Any]:
        """OpenEnv's state: episode id, step count, and the env id."""
        return {"episode_id": self.episode_id, "step_count": self.step_count, "env_id": self.env_id}


def _payload(obs: Any, reward: float | None, terminated: bool, truncated: bool, info: dict[str, Any]) -> dict[str, Any]:
    observation: dict[str, Any] = {"terminated": terminated, "truncated": truncated}
    if isinstance(obs, dict):
        observation["text"] = str(obs.get("text", ""))
        image = obs.get("image")
        if isinstance(image, np.ndarray):
            observation["image"] = {
                "shape": list(image.shape),
                "dtype": image.dtype.name,
                "base64": base64.b64encode(np.ascontiguousarray(image).tobytes()).decode(),
            }
    else:
        observation["text"] = str(obs)
    text, frames = p.encode(info)
    observation["info"] = json.loads(text) if not frames else {k: v for k, v in info.items() if k != "image"}
    return {"observation": observation, "reward": reward, "done": bool(terminated or truncated)}


def _error(message: str, code: str) -> str:
    return json.dumps({"type": "error", "data": {"message": message, "code": code}})


async def answer(oe: OpenEnvSession, raw: str | bytes, max_bytes: int) -> tuple[str | None, bool]:
    """The reply text to one OpenEnv frame (None for close) and whether the session ends."""
    if isinstance(raw, bytes) or len(raw) > max_bytes:
        return _error(f"frames are JSON text of at most {max_bytes} characters", "VALIDATION_ERROR"), False
    try:
        message = MESSAGE.validate_json(raw)
    except ValidationError as e:
        code = "INVALID_JSON" if any(err["type"] == "json_invalid" for err in e.errors()) else "VALIDATION_ERROR"
        return _error(f"malformed message: {str(e)[:500]}", code), False
    try:
        if isinstance(message, CloseMessage):
            return None, True
        if isinstance(message, StateMessage):
            return json.dumps({"type": "state", "data": oe.state()}), False
        data = await (oe.reset(message.data) if isinstance(message, ResetMessage) else oe.step(message.data))
    except Exception as e:  # the env's failure goes back to this client; the session goes on
        return _error(f"{type(e).__name__}: {e}", "EXECUTION_ERROR"), False
    return json.dumps({"type": "observation", "data": data}), False


async def serve_openenv(server: Any, ws: Any, path: str) -> None:
    """Runs one OpenEnv session on connection `ws` until close, disconnect or idle timeout."""
    from websockets.exceptions import ConnectionClosed

    env_id = path[len("/openenv/") :].removesuffix("/ws")
    session = server.new_session(ws)
    oe = OpenEnvSession(session, env_id)
    try:
        if not path.endswith("/ws"):
            await ws.send(_error(f"connect to /openenv/{env_id}/ws", "SESSION_ERROR"))
            return
        async for raw in ws:
            session.busy = True
            reply, done = await answer(oe, raw, server.max_message_bytes)
            if reply is not None:
                await ws.send(reply)
            session.busy = False
            session.last_active = time.monotonic()
            if done:
                return
    except ConnectionClosed:
        return
    finally:
        await server.end_session(session)
