"""One client session of `agora serve`: the envs it made and the calls it makes on them.

Steps (and, timed apart, resets) of an env id run inline on the event loop while that id's
recent ones are fast (see `agora.env_calls.InlinePolicy`; `Session.answer_inline` is the server's fast path for
them); everything else (making envs, slow resets, browsers, sandboxes) runs in the server's
thread pool, so one slow env never stalls the other sessions. An exception inside an env
becomes an error reply for that request only; the session and the server go on.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from typing import Any

from pettingzoo import AECEnv

from agora.env_calls import InlinePolicy
from agora.errors import ProtocolError
from agora.wire import protocol as p

MAX_ENVS_PER_SESSION = 64
ENV_CALLS = frozenset({"step", "observe", "private_info", "last"})
"""Requests that call the env and may run inline once its steps proved fast."""


class _Slot:
    """One env of the session, with its id and kind."""

    __slots__ = ("env", "env_id", "is_game")

    def __init__(self, env: Any, env_id: str):
        self.env = env
        self.env_id = env_id
        self.is_game = isinstance(env, AECEnv)


class Session:
    """The envs one connection made; `handle` answers one validated request."""

    def __init__(
        self,
        executor: concurrent.futures.Executor,
        timer: InlinePolicy,
        make: Callable[[str, dict[str, Any]], Any],
        describe: Callable[[str], dict[str, Any]],
        list_ids: Callable[[str | None], list[str]],
    ):
        self.executor = executor
        self.timer = timer
        self._make = make
        self._describe = describe
        self._list = list_ids
        self.slots: dict[int, _Slot] = {}
        self._next = 0
        self.busy = False
        self.last_active = time.monotonic()

    async def _run(self, env_id: str | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Runs an env call: inline when `env_id` is given and its steps proved fast, else in the pool."""
        return await self.timer.run(self.executor, env_id, fn, *args, **kwargs)

    def _slot(self, handle: int) -> _Slot:
        slot = self.slots.get(handle)
        if slot is None:
            raise ProtocolError(f"this session has no env with handle {handle}; make one first")
        return slot

    async def handle(self, request: Any) -> Any:
        """The result of one request (raises what the env raised)."""
        op = request.op
        if op in ENV_CALLS:
            env_id, fn, args = self.env_call(request)
            return await self._run(env_id, fn, *args)
        if op == "agent_selection":
            return self._agent_selection(request.handle)
        if op == "reset":
            key, fn, args = self.reset_call(request)
            return await self._run(key, fn, *args)
        if op == "make":
            return await self._make_env(request.env_id, request.kwargs)
        if op == "close":
            slot = self.slots.pop(request.handle, None)
            if slot is not None:
                await self._run(None, slot.env.close)
            return None
        if op == "render":
            return await self._run(None, self._slot(request.handle).env.render)
        return self._describe(request.env_id) if op == "spec" else self._list(request.family)

    def answer_inline(self, request: Any) -> tuple[bool, Any]:
        """Answers `request` on the spot when it needs no wait (the server's fast path).

        ``(True, result)`` for ``agent_selection``, and for a step, per-agent call or reset of an env
        id whose recent ones proved fast (run here, timed); ``(False, None)`` for anything else.
        Raises what the env (or a bad handle, agent or kind) raised, as `handle` would.
        """
        op = request.op
        if op == "agent_selection":
            return True, self._agent_selection(request.handle)
        if op == "reset":
            key, fn, args = self.reset_call(request)
        elif op in ENV_CALLS:
            key, fn, args = self.env_call(request)
        else:
            return False, None
        if not self.timer.inline(key):
            return False, None
        return True, self.timer.timed(key, fn, *args)

    def reset_call(self, request: Any) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        """The timer key, function and arguments of a reset request."""
        slot = self._slot(request.handle)
        fn = _game_reset if slot.is_game else _env_reset
        return reset_key(slot.env_id), fn, (slot.env, request.seed, request.options)

    def env_call(self, request: Any) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        """The env id, function and arguments of a step or per-agent (`ENV_CALLS`) request."""
        slot = self._slot(request.handle)
        env, op = slot.env, request.op
        if op == "step":
            return slot.env_id, _game_step if slot.is_game else _env_step, (env, request.action)
        self._need_game(slot, op)
        if op == "observe":
            return slot.env_id, env.observe, (_agent(env, request.agent),)
        if op == "private_info":
            return slot.env_id, env.unwrapped.private_info, (_agent(env, request.agent),)
        return slot.env_id, env.last, ()

    def _agent_selection(self, handle: int) -> str:
        slot = self._slot(handle)
        self._need_game(slot, "agent_selection")
        return slot.env.agent_selection

    @staticmethod
    def _need_game(slot: _Slot, op: str) -> None:
        if not slot.is_game:
            raise ProtocolError(f"{op!r} is a call of turn-based games; {slot.env_id} is a single-agent env")

    async def _make_env(self, env_id: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(self.slots) >= MAX_ENVS_PER_SESSION:
            raise ProtocolError(f"a session may hold {MAX_ENVS_PER_SESSION} envs; close some first")
        env = await self._run(None, self._make, env_id, kwargs)
        try:
            spec = env_spec(env, env_id)
        except Exception:
            await self._run(None, env.close)
            raise
        handle, self._next = self._next, self._next + 1
        self.slots[handle] = _Slot(env, env_id)
        return {"handle": handle, "spec": spec}

    async def close(self) -> None:
        """Closes every env of the session (containers and browsers are freed)."""
        slots, self.slots = list(self.slots.values()), {}
        for slot in slots:
            try:
                await self._run(None, slot.env.close)
            except Exception:  # a broken env must not keep the others open
                pass


def reset_key(env_id: str) -> str:
    """The `InlinePolicy` key of an env id's resets (its steps use the id itself)."""
    return f"{env_id} reset"


def _agent(env: Any, agent: str) -> str:
    if agent not in env.possible_agents:
        raise ProtocolError(f"unknown agent {agent!r}; the agents are {list(env.possible_agents)}")
    return agent


def _env_reset(env: Any, seed: int | None, options: dict[str, Any] | None) -> dict[str, Any]:
    obs, info = env.reset(seed=seed, options=options)
    return {"obs": obs, "info": info}


def _env_step(env: Any, action: Any) -> dict[str, Any]:
    obs, reward, terminated, truncated, info = env.step(action)
    return {
        "obs": obs,
        "reward": float(reward),
        "terminated": bool(terminated),
        "truncated": bool(truncated),
        "info": info,
    }


def game_state(game: Any) -> dict[str, Any]:
    """Everything the AEC API reads after a reset or step (see the protocol docs)."""
    selected = game.agent_selection
    live = selected in game.agents
    return {
        "agents": list(game.agents),
        "agent_selection": selected,
        "rewards": {a: float(r) for a, r in game.rewards.items()},
        "cumulative": {a: float(r) for a, r in game._cumulative_rewards.items()},
        "terminations": dict(game.terminations),
        "truncations": dict(game.truncations),
        "infos": game.infos,
        "obs": game.observe(selected) if live else None,
    }


def _game_reset(game: Any, seed: int | None, options: dict[str, Any] | None) -> dict[str, Any]:
    game.reset(seed=seed, options=options)
    return {"state": game_state(game)}


def _game_step(game: Any, action: Any) -> dict[str, Any]:
    game.step(action)
    return {"state": game_state(game)}


def env_spec(env: Any, env_id: str) -> dict[str, Any]:
    """What a client needs to stand in for `env`: kind, spaces, agents, metadata, scripted agents."""
    unwrapped = env.unwrapped
    base = {
        "env_id": env_id,
        "metadata": {k: v for k, v in env.metadata.items() if isinstance(v, (str, int, float, bool, list))},
        "render_mode": getattr(env, "render_mode", None),
        "scripted_agents": dict(getattr(unwrapped, "scripted_agents", {}) or {}),
        "accepts_free_text": bool(getattr(unwrapped, "accepts_free_text", False)),
    }
    if isinstance(env, AECEnv):
        agents = list(env.possible_agents)
        return {
            **base,
            "kind": "game",
            "possible_agents": agents,
            "observation_spaces": {a: p.describe_space(env.observation_space(a)) for a in agents},
            "action_spaces": {a: p.describe_space(env.action_space(a)) for a in agents},
        }
    max_turns = getattr(getattr(env, "spec", None), "max_episode_steps", None)
    return {
        **base,
        "kind": "env",
        "max_turns": max_turns,
        "observation_space": p.describe_space(env.observation_space),
        "action_space": p.describe_space(env.action_space),
    }
