"""The agent contract: anything that turns an observation (text + info) into an action (text).

Scripted experts, a human at the terminal and LLM agents all follow it, so a game, the single-agent
adapter, the rollout engine and tournaments take any of them. Agents are named by a *spec*:

* an `Agent` instance, used as is;
* a name from the game's own table (`TicTacToe.scripted_agents`, e.g. ``"minimax"``) or ``"random"``;
* a registered prefix spec such as ``"hf:PATH"`` (see `register_agent_prefix`);
* ``"module:callable"``: a factory imported and called with ``seed=``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from agora.errors import UnknownAgentError


class Agent:
    """Base class of agents. Subclasses implement `act`; async callers use `aact`."""

    name: str = "agent"

    def reset(self, seed: int | None = None) -> None:
        """Forgets the previous episode; called before each new one. A seed makes it reproducible."""

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """Returns the action text for `observation` (and the env's `info`)."""
        raise NotImplementedError

    async def aact(self, observation: str, info: Mapping[str, Any]) -> str:
        """Async `act`. Scripted agents answer at once; LLM agents override this to batch requests."""
        return self.act(observation, info)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class SeededAgent(Agent):
    """An agent with its own RNG (`self.rng`), reseeded by `reset(seed=...)`; never global state."""

    def __init__(self, seed: int | None = None):
        self.rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        """Reseeds the agent's RNG when a seed is given."""
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def choice(self, options: list[Any]) -> Any:
        """One of `options`, uniformly at random."""
        return options[int(self.rng.integers(len(options)))]


class RandomAgent(SeededAgent):
    """Plays a uniformly random move from `info["legal_actions"]`."""

    name = "random"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """A random legal move, or an empty (invalid) action when the env lists none."""
        legal = info.get("legal_actions") or []
        return self.choice(legal) if legal else ""


class FunctionAgent(Agent):
    """Wraps a plain `fn(observation, info) -> str` as an agent."""

    def __init__(self, fn: Callable[[str, Mapping[str, Any]], str], name: str | None = None):
        self._fn = fn
        self.name = name or getattr(fn, "__name__", "function")

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """Calls the wrapped function."""
        return self._fn(observation, info)


AgentFactory = Callable[..., Agent]
_PREFIXES: dict[str, Callable[[str, int | None], Agent]] = {}


def register_agent_prefix(prefix: str, factory: Callable[[str, int | None], Agent]) -> None:
    """Makes specs `"prefix:REST"` resolve to `factory(REST, seed)` (e.g. `hf:PATH`, `openai:URL`)."""
    _PREFIXES[prefix] = factory


def load_callable(target: str) -> Callable[..., Any]:
    """Imports `"package.module:attr"` and returns the attribute."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise UnknownAgentError(f"{target!r} is not of the form 'package.module:callable'.")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise UnknownAgentError(f"Cannot import {module_name!r} for agent {target!r}: {e}") from e
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as e:
            raise UnknownAgentError(f"Module {module_name!r} has no attribute {attr!r}.") from e
    return obj


def resolve_agent(spec: str | Agent, *, table: Mapping[str, str] | None = None,
                  seed: int | None = None, **kwargs: Any) -> Agent:
    """Builds the agent a spec names (see the module docs); `table` is the game's scripted agents."""
    if isinstance(spec, Agent):
        return spec
    if not isinstance(spec, str):
        if callable(getattr(spec, "act", None)):
            return spec  # duck-typed agent
        raise TypeError(f"An agent spec is an Agent or a str, got {type(spec).__name__}.")
    table = dict(table or {})
    if spec in table:
        return load_callable(table[spec])(seed=seed, **kwargs)
    if spec == "random":
        return RandomAgent(seed=seed)
    prefix, sep, rest = spec.partition(":")
    if sep and prefix in _PREFIXES:
        return _PREFIXES[prefix](rest, seed)
    if sep and rest:
        agent = load_callable(spec)(seed=seed, **kwargs)
        if not callable(getattr(agent, "act", None)):
            raise UnknownAgentError(f"{spec!r} returned {type(agent).__name__}, which has no act() method.")
        return agent
    known = [*table, "random", *(f"{p}:..." for p in _PREFIXES)]
    raise UnknownAgentError.for_name(spec, known)


def agent_prefixes() -> list[str]:
    """The registered agent spec prefixes (e.g. ``["hf"]``), for validating specs without building them."""
    return sorted(_PREFIXES)
