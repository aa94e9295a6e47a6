"""The agent contract: anything that turns an observation (text + info) into an action (text).

Scripted experts, a human at the terminal and LLM agents all follow it, so a game, the single-agent
adapter, the rollout engine and tournaments take any of them. Agents are named by a *spec*:

* an `Agent` instance, used as is;
* a name from the game's own table (`TicTacToe.scripted_agents`, e.g. ``"minimax"``) or ``"random"``;
* a registered prefix spec such as ``"hf:PATH"`` (see `register_agent_prefix`);
* ``"module:callable"``: a factory imported and called with ``seed=``.

**Replies.** `act`/`aact` return the action as a `str`. LLM agents return an `AgentReply`, a `str`
subclass whose value is the extracted action and whose fields carry what the trainer needs: the
prompt token ids the model saw, the completion token ids it sampled, their logprobs under the
sampling policy, the raw completion text (reasoning included), and whether the action could be
parsed. Every caller that wants only the action uses the reply as the string it is; the rollout
engine reads the fields with `reply_fields`.

**One agent, many episodes.** An agent object may play many concurrent episodes and several
seats at once (self-play). The rollout engine calls `fork()` once per (episode, seat) and talks
to the copy; LLM agents share their model between forks and keep a conversation per fork.

Agent *prefixes* (``hf:``, ``vllm:``, ``openai:``, ``smollm2``) are registered by packages through
the ``agora.agents`` entry-point group, loaded the first time an unknown prefix is resolved, so
``import agora`` never imports torch.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any, cast

import numpy as np

from agora.errors import UnknownAgentError
from agora.plugins import load_callable
from agora.splitmix import SplitMix64


class AgentReply(str):
    """An action (the `str` value) plus how an LLM produced it, token in / token out.

    Attributes:
        text: the raw completion text, reasoning (``<think>...</think>``) included.
        prompt_token_ids: the exact token ids the model was given.
        completion_token_ids: the token ids it sampled (never re-tokenised text).
        completion_logprobs: one logprob per completion token under the sampling distribution.
        valid: False when no action could be parsed from the text (the value is then the raw text,
            which the env rejects as a malformed action).
        error: why parsing failed, when it did.
        tool_calls: parsed tool calls, ``[{"name": ..., "arguments": {...}}]``.
        meta: backend extras (temperature, finish reason, latency).
    """

    text: str
    prompt_token_ids: list[int] | None
    completion_token_ids: list[int] | None
    completion_logprobs: list[float] | None
    valid: bool
    error: str | None
    tool_calls: list[dict[str, Any]]
    meta: dict[str, Any]

    def __new__(
        cls,
        action: str,
        *,
        text: str | None = None,
        prompt_token_ids: list[int] | None = None,
        completion_token_ids: list[int] | None = None,
        completion_logprobs: list[float] | None = None,
        valid: bool = True,
        error: str | None = None,
        tool_calls: list[dict[str, Any]] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> AgentReply:
        """Builds a reply whose string value is `action` (see the class docs for the fields)."""
        self = super().__new__(cls, action)
        self.text = action if text is None else text
        self.prompt_token_ids = prompt_token_ids
        self.completion_token_ids = completion_token_ids
        self.completion_logprobs = completion_logprobs
        self.valid = valid
        self.error = error
        self.tool_calls = list(tool_calls or [])
        self.meta = dict(meta or {})
        return self

    @property
    def action(self) -> str:
        """The action as a plain `str`."""
        return str.__str__(self)


@dataclasses.dataclass
class ReplyFields:
    """What the rollout engine records from any agent's reply (plain `str` replies fill the action only)."""

    action: str
    text: str
    prompt_token_ids: list[int] | None = None
    completion_token_ids: list[int] | None = None
    completion_logprobs: list[float] | None = None
    valid: bool = True
    error: str | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    agent_error: str | None = None
    """Why the agent gave no text (it raised, or answered something else): its move is then invalid."""


def reply_fields(reply: Any) -> ReplyFields:
    """Normalises what `act`/`aact` returned (a `str` or an `AgentReply`) into `ReplyFields`."""
    if isinstance(reply, AgentReply):
        return ReplyFields(
            reply.action,
            reply.text,
            reply.prompt_token_ids,
            reply.completion_token_ids,
            reply.completion_logprobs,
            reply.valid,
            reply.error,
            dict(reply.meta),
        )
    if isinstance(reply, str):
        return ReplyFields(str.__str__(reply), str.__str__(reply))
    raise TypeError(f"An agent must return a str (or AgentReply), got {type(reply).__name__}: {reply!r:.80}")


class Agent:
    """Base class of agents. Subclasses implement `act`; async callers use `aact`."""

    name: str = "agent"

    def fork(self) -> Agent:
        """An independent copy for one more episode/seat (a deep copy; LLM agents share their model)."""
        return copy.deepcopy(self)

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
    """An agent with its own random streams, reseeded by `reset(seed=...)`; never global state.

    `choice` (and `fork`) draw from a `SplitMix64` stream of the seed, which costs nothing to
    reseed: the rollout engine forks and reseeds every agent before every episode. `self.rng` is
    ``np.random.default_rng(seed)`` of the same seed, for agents that need NumPy's distributions;
    it is built on first use (building one costs tens of microseconds).
    """

    def __init__(self, seed: int | None = None):
        self._seed = seed
        self._rng: np.random.Generator | None = None
        self._draws: SplitMix64 | None = None

    @property
    def rng(self) -> np.random.Generator:
        """The agent's NumPy generator, ``np.random.default_rng(seed)`` of its last seed."""
        if self._rng is None:
            self._rng = np.random.default_rng(self._seed)
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value

    @property
    def draws(self) -> SplitMix64:
        """The agent's cheap stream (`choice`, `fork`), a `SplitMix64` of its last seed."""
        if self._draws is None:
            self._draws = SplitMix64(self._seed)
        return self._draws

    def reset(self, seed: int | None = None) -> None:
        """Reseeds the agent's streams when a seed is given."""
        if seed is not None:
            self._seed, self._rng, self._draws = seed, None, None

    def fork(self) -> SeededAgent:
        """A shallow copy with its own streams, seeded from this one's (cheaper than a deep copy)."""
        new = copy.copy(self)
        new._seed, new._rng, new._draws = self.draws.next64() >> 1, None, None
        return new

    def choice(self, options: list[Any]) -> Any:
        """One of `options`, uniformly at random."""
        return options[self.draws.below(len(options))]


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
        self.name = name or str(getattr(fn, "__name__", "function"))

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """Calls the wrapped function."""
        return self._fn(observation, info)


AgentFactory = Callable[..., Agent]
_PREFIXES: dict[str, Callable[[str, int | None], Agent]] = {}
_CHECKS: dict[str, Callable[[str], None]] = {}
_PREFIX_PLUGINS_LOADED = False
_PREFIX_LOCK = threading.Lock()
AGENT_ENTRY_POINT_GROUP = "agora.agents"


def register_agent_prefix(
    prefix: str, factory: Callable[[str, int | None], Agent], check: Callable[[str], None] | None = None
) -> None:
    """Makes specs `"prefix:REST"` resolve to `factory(REST, seed)` (e.g. `hf:PATH`, `openai:URL`).

    The bare name `"prefix"` resolves to `factory("", seed)` (e.g. ``smollm2``). `check(REST)`, when
    given, raises `ValueError` for a spec the factory would refuse (an unknown option, a missing path),
    without building anything: `check_agent_spec` calls it before a run starts.
    """
    _PREFIXES[prefix] = factory
    if check is not None:
        _CHECKS[prefix] = check


def _load_prefix_plugins() -> None:
    """Runs each ``agora.agents`` entry point once; a broken one is skipped (its prefixes stay unknown)."""
    global _PREFIX_PLUGINS_LOADED
    with _PREFIX_LOCK:  # env threads may resolve specs at the same time
        if _PREFIX_PLUGINS_LOADED:
            return
        for entry in metadata.entry_points(group=AGENT_ENTRY_POINT_GROUP):
            try:
                entry.load()()
            except Exception as e:  # a broken plugin must not break scripted agents
                import warnings

                message = f"agent plugin {entry.name!r} failed to load: {type(e).__name__}: {e}"
                warnings.warn(message, stacklevel=2)
        _PREFIX_PLUGINS_LOADED = True


def _split_prefix(spec: str) -> tuple[str, str]:
    """``"hf:PATH?opts"`` -> ``("hf", "PATH?opts")``; ``"smollm2?opts"`` -> ``("smollm2", "?opts")``."""
    cut = min((i for i in (spec.find(":"), spec.find("?")) if i >= 0), default=len(spec))
    prefix, rest = spec[:cut], spec[cut:]
    return prefix, rest[1:] if rest.startswith(":") else rest


def _prefix_factory(spec: str) -> tuple[Callable[[str, int | None], Agent], str] | None:
    prefix, rest = _split_prefix(spec)
    if prefix not in _PREFIXES:
        _load_prefix_plugins()
    if prefix in _PREFIXES:
        return _PREFIXES[prefix], rest
    return None


def is_known_spec(spec: str, table: Mapping[str, str] | None = None) -> bool:
    """True when `spec` names an agent `resolve_agent` can build, judged without building it.

    A ``module:callable`` spec is imported to check that the callable exists.
    """
    if spec in (table or {}) or spec == "random" or _prefix_factory(spec) is not None:
        return True
    module, sep, attr = spec.partition(":")
    if sep and module and attr:
        load_callable(spec, error=UnknownAgentError, what="agent")
        return True
    return False


def check_agent_spec(spec: str, table: Mapping[str, str] | None = None) -> None:
    """Raises `UnknownAgentError` for a spec `resolve_agent` would refuse, judged without building it.

    Checks the name (`table`'s scripted agents, ``random``, the registered prefixes, ``module:callable``)
    and, for a registered prefix, what its own check says of the rest (options, path, URL).
    """
    if not is_known_spec(spec, table):
        raise UnknownAgentError.for_name(spec, [*(table or {}), "random"], prefixes=agent_prefixes())
    prefix, rest = _split_prefix(spec)
    check = _CHECKS.get(prefix) if spec not in (table or {}) else None
    if check is not None:
        try:
            check(rest)
        except ValueError as e:
            raise UnknownAgentError(f"agent {spec!r}: {e}") from None


def resolve_agent(
    spec: str | Agent, *, table: Mapping[str, str] | None = None, seed: int | None = None, **kwargs: Any
) -> Agent:
    """Builds the agent a spec names (see the module docs); `table` is the game's scripted agents."""
    if isinstance(spec, Agent):
        return spec
    if not isinstance(spec, str):
        if callable(getattr(spec, "act", None)):
            return spec  # duck-typed agent
        raise TypeError(f"An agent spec is an Agent or a str, got {type(spec).__name__}.")
    table = dict(table or {})
    if spec in table:
        scripted: Agent = load_callable(table[spec], error=UnknownAgentError, what="agent")(seed=seed, **kwargs)
        return scripted
    if spec == "random":
        return RandomAgent(seed=seed)
    found = _prefix_factory(spec)
    if found is not None:
        factory, rest = found
        built: Agent = factory(rest, seed)
        return built
    prefix, sep, rest = spec.partition(":")
    if sep and rest:
        agent = load_callable(spec, error=UnknownAgentError, what="agent")(seed=seed, **kwargs)
        if not callable(getattr(agent, "act", None)):
            raise UnknownAgentError(f"{spec!r} returned {type(agent).__name__}, which has no act() method.")
        return cast(Agent, agent)
    raise UnknownAgentError.for_name(spec, [*table, "random"], prefixes=agent_prefixes())


def agent_prefixes() -> list[str]:
    """The registered agent spec prefixes (e.g. ``["hf", "smollm2"]``), plugins included."""
    _load_prefix_plugins()
    return sorted(_PREFIXES)
