"""The env registry: `register`, `make`, `spec`, `list_envs`.

Ids follow Gymnasium's grammar with a mandatory family: ``family/Name-vN`` (``games/TicTacToe-v0``,
``web/miniwob.click-button-v0``). Entry points are ``"package.module:Class"`` strings imported only
when an env is made. Variants are separate ids with other default kwargs, never suffixes after
``-vN``. Every id is mirrored into Gymnasium's registry, so ``gymnasium.make(id)`` works too.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import gymnasium
from pettingzoo import AECEnv

from agora.errors import EnvArgumentError, GameSetupError, RegistrationError, UnknownEnvError
from agora.plugins import load_callable, loading_plugin

if TYPE_CHECKING:
    from agora.adapter import OpponentSpec

ID_PATTERN = re.compile(r"^(?P<family>[a-z][a-z0-9_]*)/(?P<name>[A-Za-z0-9_.:-]+?)-v(?P<version>\d+)$")


@dataclasses.dataclass(frozen=True)
class EnvSpec:
    """Everything `make` needs to build an env, and what `agora list`/`agora info` show."""

    id: str
    entry_point: str | Callable[..., Any]
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    max_turns: int | None = None
    """Turns after which `make` truncates a single-agent episode (`TurnLimit`); None for no limit."""
    plugin: str | None = None
    """The entry-point name of the package that registered the id (None when registered directly)."""

    @property
    def family(self) -> str:
        """The id's family, e.g. ``games``."""
        return self.id.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The id's name without family and version, e.g. ``TicTacToe``."""
        return self._parts()["name"]

    @property
    def version(self) -> int:
        """The id's version number."""
        return int(self._parts()["version"])

    def _parts(self) -> re.Match[str]:
        match = ID_PATTERN.match(self.id)
        if match is None:  # register() checks the grammar; a hand-made EnvSpec may not
            raise RegistrationError(f"Env id {self.id!r} must look like 'family/Name-v0'.")
        return match

    def load(self) -> Callable[..., Any]:
        """Imports and returns the env's class or factory."""
        if callable(self.entry_point):
            return self.entry_point
        loaded: Callable[..., Any] = load_callable(self.entry_point, error=RegistrationError, what=f"env {self.id}")
        return loaded

    def docs(self) -> str:
        """The env's docs page as Markdown (`agora info` and the docs site): its module's docstring, then defaults.

        The page is the docstring of the module that defines the env's class or factory (the family's
        convention: ``env.py``'s docstring says the rules, the action format and the rewards), or the
        class's own docstring, followed by a line with the entry point, default kwargs and turn limit. An env
        class that wraps upstream packages names their distributions in ``upstream_distributions`` (a tuple of
        PyPI names); the line then gives the version of each installed here.
        """
        creator = self.load()
        module = inspect.getmodule(creator)
        doc = (module.__doc__ if module and module.__doc__ else None) or inspect.getdoc(creator) or "(no docs)"
        entry = self.entry_point if isinstance(self.entry_point, str) else getattr(creator, "__qualname__", "?")
        facts = (
            f"entry point: `{entry}` · defaults: `{dict(self.kwargs) or '-'}` · "
            f"max turns: {self.max_turns or '-'} · registered by: {self.plugin or '-'}"
        )
        upstream = getattr(creator, "upstream_distributions", ())
        if upstream:
            facts += " · upstream: " + ", ".join(f"{name} {_installed_version(name)}" for name in upstream)
        return f"{inspect.cleandoc(doc)}\n\n{facts}\n"


def _installed_version(distribution: str) -> str:
    """The installed version of a PyPI distribution, or ``(not installed)``."""
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


_REGISTRY: dict[str, EnvSpec] = {}


def register(id: str, entry_point: str | Callable[..., Any], *, max_turns: int | None = None, **kwargs: Any) -> EnvSpec:
    """Registers an env under `id`; `kwargs` become its default constructor arguments."""
    if not ID_PATTERN.match(id):
        raise RegistrationError(f"Env id {id!r} must look like 'family/Name-v0' (lower-case family, -vN version).")
    if isinstance(entry_point, str) and ":" not in entry_point:
        raise RegistrationError(f"Entry point {entry_point!r} for {id!r} must look like 'package.module:Class'.")
    if id in _REGISTRY:
        raise RegistrationError(f"{id!r} is already registered (by {_REGISTRY[id].plugin or 'direct call'}).")
    if max_turns is not None and max_turns < 1:
        raise RegistrationError(f"max_turns for {id!r} must be >= 1 or None, got {max_turns}.")
    new = EnvSpec(id=id, entry_point=entry_point, kwargs=dict(kwargs), max_turns=max_turns, plugin=loading_plugin.get())
    _REGISTRY[id] = new
    gymnasium.register(id=id, entry_point=functools.partial(_make_for_gymnasium, id))
    return new


EnvEntry = tuple[str, int | None] | tuple[str, int | None, Mapping[str, Any]]
"""A family table's row: (entry point, max_turns) or (entry point, max_turns, default kwargs)."""


def register_all(entries: Mapping[str, EnvEntry]) -> None:
    """Registers every id of a family's table ``{id: (entry point, max_turns[, kwargs])}``.

    Every family's ``register_envs`` is this call over its ``ENVS`` table (see ``envs/README.md``).
    """
    for env_id, (entry_point, max_turns, *kwargs) in entries.items():
        register(env_id, entry_point, max_turns=max_turns, **(kwargs[0] if kwargs else {}))


def spec(env_id: str) -> EnvSpec:
    """The spec registered as `env_id`; an unknown id's error suggests close ids or versions."""
    from agora.plugins import load_plugins

    load_plugins()
    try:
        return _REGISTRY[env_id]
    except KeyError:
        raise UnknownEnvError.for_id(env_id, _REGISTRY) from None


def list_envs(family: str | None = None) -> list[str]:
    """Sorted registered ids, optionally of one family (``"games"``, ``"web"``, ...)."""
    from agora.plugins import load_plugins

    load_plugins()
    return sorted(i for i, s in _REGISTRY.items() if family is None or s.family == family)


@overload
def make(
    env_id: str,
    *,
    opponent: OpponentSpec | Sequence[OpponentSpec],
    seat: int | str | None = "random",
    max_turns: int | None = None,
    **kwargs: Any,
) -> gymnasium.Env: ...


@overload
def make(
    env_id: str,
    *,
    opponent: None = None,
    seat: int | str | None = "random",
    max_turns: int | None = None,
    **kwargs: Any,
) -> gymnasium.Env | AECEnv: ...


def make(
    env_id: str,
    *,
    opponent: OpponentSpec | Sequence[OpponentSpec] | None = None,
    seat: int | str | None = "random",
    max_turns: int | None = None,
    **kwargs: Any,
) -> gymnasium.Env | AECEnv:
    """Builds the env registered as `env_id`.

    Single-agent envs come as a `gymnasium.Env` wrapped in `EnforceOrder` and, when the spec or
    `max_turns` sets a limit, `TurnLimit`. Turn-based games come as their PettingZoo `AECEnv`; give
    `opponent=` (an agent spec or one per other seat) to get a single-agent `gymnasium.Env`
    (`GameEnv`) instead. The overloads say so to type checkers: with an opponent, a `gymnasium.Env`.
    """
    env_spec = spec(env_id)
    env = _construct(env_spec, {**env_spec.kwargs, **kwargs})
    if isinstance(env, AECEnv):
        env.unwrapped.spec = env_spec
        if opponent is None:
            return env
        from agora.adapter import GameEnv

        env = GameEnv(env, opponent=opponent, seat=seat)
        kwargs = {**kwargs, "opponent": opponent, "seat": seat}
    elif opponent is not None:
        raise GameSetupError(f"{env_id} is a single-agent env; opponent= only applies to multi-agent games.")
    return _wrap(env, env_spec, max_turns if max_turns is not None else env_spec.max_turns, kwargs)


_UNEXPECTED = re.compile(r"unexpected keyword argument '(\w+)'")
_MAKE_OPTIONS = ("max_turns",)
_GAME_OPTIONS = ("opponent", "seat")


def _construct(env_spec: EnvSpec, kwargs: dict[str, Any]) -> Any:
    """Calls the env's creator; a keyword it does not take is an `EnvArgumentError` naming the valid ones."""
    creator = env_spec.load()
    try:
        return creator(**kwargs)
    except TypeError as e:
        unknown = _UNEXPECTED.search(str(e))
        if unknown is None or unknown[1] not in kwargs:
            raise
        valid = [*_parameters(creator), *_MAKE_OPTIONS]
        if isinstance(creator, type) and issubclass(creator, AECEnv):
            valid += _GAME_OPTIONS
        raise EnvArgumentError.for_kwarg(env_spec.id, unknown[1], valid) from None


def _parameters(creator: Any) -> list[str]:
    """Keyword parameters of a creator: of every ``__init__`` in a class's MRO (they pass **kwargs up)."""
    is_class = isinstance(creator, type)
    functions = [c.__init__ for c in creator.__mro__ if "__init__" in vars(c)] if is_class else [creator]
    names = []
    for function in functions:
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):
            continue
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        names += [p.name for p in parameters if p.kind in kinds and p.name != "self"]
    return names


def _wrap(env: gymnasium.Env, env_spec: EnvSpec, max_turns: int | None, kwargs: dict[str, Any]) -> gymnasium.Env:
    from agora.wrappers import EnforceOrder, TurnLimit

    env.unwrapped.spec = dataclasses.replace(
        gymnasium.spec(env_spec.id), kwargs={**env_spec.kwargs, **kwargs}, max_episode_steps=max_turns
    )
    env = EnforceOrder(env)
    return TurnLimit(env, max_turns) if max_turns else env


def _make_for_gymnasium(env_id: str, **kwargs: Any) -> gymnasium.Env:
    creator = spec(env_id).load()
    if "opponent" not in kwargs and isinstance(creator, type) and issubclass(creator, AECEnv):
        raise GameSetupError(
            f"{env_id} is a multi-agent game. gymnasium.make needs an opponent, e.g. "
            f"gymnasium.make({env_id!r}, opponent='random'); or use agora.make({env_id!r}) for the AEC env."
        )
    env: gymnasium.Env[Any, Any] = make(env_id, **kwargs)
    return env


def registered_specs() -> dict[str, EnvSpec]:
    """A copy of the whole registry (for tools such as `agora list`)."""
    from agora.plugins import load_plugins

    load_plugins()
    return dict(_REGISTRY)
