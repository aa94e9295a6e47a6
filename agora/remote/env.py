"""Stand-ins for envs served by `agora serve`: a real `gymnasium.Env` and a real PettingZoo `AECEnv`.

`RemoteEnv` and `RemoteGame` hold one session each. Seeds, actions and options go to the server,
which plays the env exactly as in-process, so the same seed and actions give the same trajectory.
Spaces, metadata and the game's scripted-agent table come from the server when the env is made.

A lost connection never passes for an outcome: `RemoteEnv.step` returns ``info["infra_error"]``
(truncated, reward 0.0, as other agora envs report infrastructure failures; the rollout engine
records the episode as failed), `RemoteGame.step` raises `RemoteConnectionLost`, and the next
`reset` opens a new session (reconnects) and makes the env again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from agora.errors import GameSetupError, RemoteConnectionLost
from agora.remote.client import Connection
from agora.spaces import text_obs
from agora.wire import protocol as p

_SEND_TYPES = (str, dict, list, int, float, bool, type(None))


@dataclasses.dataclass(frozen=True)
class RemoteSpec:
    """The spec of a remote env: its id and the arguments that build this stand-in again."""

    id: str
    kwargs: dict[str, Any]
    max_episode_steps: int | None = None
    nondeterministic: bool = False
    """The server plays the env as in-process: the same seed and actions give the same episode."""

    def make(self, **overrides: Any) -> Any:
        """Another stand-in for the same env on the same server (a new session)."""
        return make(**{**self.kwargs, **overrides})


class _Link:
    """A session with one env made in it; `open` (re)connects and makes the env."""

    def __init__(self, url: str, env_id: str, token: str | None, kwargs: dict[str, Any]):
        self.url, self.env_id, self.token, self.kwargs = url, env_id, token, dict(kwargs)
        self.conn: Connection | None = None
        self.handle = -1
        self.spec: dict[str, Any] = {}
        self.open()

    def open(self) -> None:
        """Opens a session and makes the env in it."""
        conn = Connection(self.url, self.token)
        try:
            made = conn.call("make", env_id=self.env_id, kwargs=self.kwargs)
        except BaseException:
            conn.close()
            raise
        self.conn, self.handle, self.spec = conn, made["handle"], made["spec"]

    def call(self, op: str, **fields: Any) -> Any:
        """A call on the env; after a lost connection, `reset` reconnects first."""
        if self.conn is None or self.conn.closed:
            if op != "reset":
                raise RemoteConnectionLost(f"the session with {self.url} was lost; call reset() to reconnect")
            self.open()
        assert self.conn is not None  # open() connected or raised
        return self.conn.call(op, handle=self.handle, **fields)

    def close(self) -> None:
        """Closes the env and the session (quietly when the connection is already gone)."""
        conn, self.conn = self.conn, None
        if conn is None or conn.closed:
            return
        try:
            conn.call("close", handle=self.handle)
        except Exception:  # the server may already be gone
            pass
        conn.close()


def _check_action(action: Any) -> Any:
    if not isinstance(action, _SEND_TYPES) or isinstance(action, np.generic):
        raise TypeError(f"agora actions are text: expected str, got {type(action).__name__} ({action!r:.80}).")
    return action


def as_obs(value: Any) -> Any:
    """An observation as the env made it: text (also inside a dict) as `TextObs`."""
    if isinstance(value, str):
        return text_obs(value)
    if isinstance(value, dict):
        return {k: text_obs(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


def blank_obs(space: spaces.Space) -> Any:
    """An observation inside `space` that says nothing (used with ``infra_error``)."""
    if isinstance(space, spaces.Text):
        return text_obs("")
    if isinstance(space, spaces.Dict):
        return {k: blank_obs(s) for k, s in space.spaces.items()}
    if isinstance(space, spaces.Box):
        return np.clip(np.zeros(space.shape, space.dtype), space.low, space.high).astype(space.dtype)
    if isinstance(space, spaces.Discrete):
        return int(space.start)
    return space.sample()


class _ServerSide:
    """What both proxies do with their session: render on the server, close it, drop it when collected."""

    _link: _Link

    def _open(self, link: _Link, kind: str, wrong_kind: str) -> dict[str, Any]:
        """Takes `link` as this proxy's session and returns its spec; a spec of another kind closes it."""
        self._link = link
        if link.spec["kind"] != kind:
            link.close()
            raise GameSetupError(wrong_kind)
        return link.spec

    def render(self) -> Any:
        """The server-side env's rendering."""
        return self._link.call("render")

    def close(self) -> None:
        """Closes the env on the server and ends the session."""
        self._link.close()

    def __del__(self) -> None:
        link = self.__dict__.get("_link")
        if link is not None and link.conn is not None:
            link.conn.close()


class RemoteEnv(_ServerSide, gymnasium.Env):
    """A single-agent env served by `agora serve`, as a `gymnasium.Env` (see the module docs).

    Args:
        url: the server, e.g. ``ws://127.0.0.1:8000``.
        env_id: a registered id on the server (``games/TicTacToe-v0`` with ``opponent=`` too).
        token: the server's token, when it has one.
        **kwargs: the env's constructor arguments (JSON values).
    """

    def __init__(self, url: str, env_id: str, token: str | None = None, *, _link: _Link | None = None, **kwargs: Any):
        spec = self._open(
            _link or _Link(url, env_id, token, kwargs),
            "env",
            f"{env_id} is a multi-agent game; use RemoteGame (or pass opponent=...).",
        )
        self.env_id = env_id
        self.observation_space = p.build_space(spec["observation_space"])
        self.action_space = p.build_space(spec["action_space"])
        self.metadata = spec["metadata"]
        self.render_mode = spec["render_mode"]
        self.scripted_agents = spec["scripted_agents"]
        self.accepts_free_text = spec["accepts_free_text"]
        remote = RemoteSpec(env_id, {"url": url, "env_id": env_id, "token": token, **kwargs}, spec["max_turns"])
        self.spec = remote  # type: ignore[assignment]  # a stand-in with EnvSpec's fields

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Starts an episode on the server (reconnecting first if the session was lost)."""
        super().reset(seed=seed)
        result = self._link.call("reset", seed=seed, options=options)
        return as_obs(result["obs"]), p.fix_info(result["info"])

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Plays one action on the server; a lost connection gives ``info["infra_error"]``."""
        try:
            r = self._link.call("step", action=_check_action(action))
        except RemoteConnectionLost as e:
            return blank_obs(self.observation_space), 0.0, False, True, {"infra_error": str(e)}
        return as_obs(r["obs"]), r["reward"], r["terminated"], r["truncated"], p.fix_info(r["info"])

    def __str__(self) -> str:
        return f"<RemoteEnv<{self.env_id} at {self._link.url}>>"

    __repr__ = __str__


class RemoteGame(_ServerSide, AECEnv):
    """A turn-based game served by `agora serve`, as a PettingZoo `AECEnv` (see the module docs)."""

    def __init__(self, url: str, env_id: str, token: str | None = None, *, _link: _Link | None = None, **kwargs: Any):
        super().__init__()
        spec = self._open(
            _link or _Link(url, env_id, token, kwargs), "game", f"{env_id} is a single-agent env; use RemoteEnv."
        )
        self.env_id = env_id
        self.possible_agents = list(spec["possible_agents"])
        self._spaces = {a: p.build_space(d) for a, d in spec["observation_spaces"].items()}
        self._action_spaces = {a: p.build_space(d) for a, d in spec["action_spaces"].items()}
        self.metadata = spec["metadata"]
        self.render_mode = spec["render_mode"]
        self.scripted_agents = spec["scripted_agents"]
        self.spec = RemoteSpec(env_id, {"url": url, "env_id": env_id, "token": token, **kwargs})
        self.agents: list[str] = []
        self._selected_obs: Any = None

    def observation_space(self, agent: str) -> spaces.Space:
        """`agent`'s observation space (as the server's game has it)."""
        return self._spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        """`agent`'s action space."""
        return self._action_spaces[agent]

    def _apply(self, state: dict[str, Any]) -> None:
        self.agents = list(state["agents"])
        self.agent_selection = state["agent_selection"]
        self.rewards = state["rewards"]
        self._cumulative_rewards = state["cumulative"]
        self.terminations = state["terminations"]
        self.truncations = state["truncations"]
        self.infos = {a: p.fix_info(i) for a, i in state["infos"].items()}
        self._selected_obs = as_obs(state["obs"]) if state["obs"] is not None else None

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Starts a game on the server (reconnecting first if the session was lost)."""
        self._apply(self._link.call("reset", seed=seed, options=options)["state"])

    def step(self, action: Any) -> None:
        """Plays the selected agent's action on the server; a lost connection raises `RemoteConnectionLost`."""
        self._selected_obs = None
        self._apply(self._link.call("step", action=_check_action(action))["state"])

    def observe(self, agent: str) -> Any:
        """What `agent` sees now (the agent to move's view came with the last state)."""
        if agent == getattr(self, "agent_selection", None) and self._selected_obs is not None:
            return self._selected_obs
        return as_obs(self._link.call("observe", agent=agent))

    def private_info(self, agent: str) -> Any:
        """`agent`'s own secret in the current game (for `agora.check_game`)."""
        return p.hashable(self._link.call("private_info", agent=agent))

    def __repr__(self) -> str:
        return f"<RemoteGame<{self.env_id} at {self._link.url}>>"


def make(url: str, env_id: str, token: str | None = None, **kwargs: Any) -> RemoteEnv | RemoteGame:
    """An env served at `url`: a `RemoteEnv`, or a `RemoteGame` for a game made without ``opponent``."""
    link = _Link(url, env_id, token, kwargs)
    cls = RemoteGame if link.spec["kind"] == "game" else RemoteEnv
    return cls(url, env_id, token, _link=link, **kwargs)
