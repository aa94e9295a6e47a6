"""One exception tree for agora. Messages say what went wrong, show the value, and give the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import gymnasium.error


class AgoraError(Exception):
    """Base class of every error agora raises on purpose."""


class RegistrationError(AgoraError):
    """An env id or entry point could not be registered."""


class UnknownEnvError(AgoraError, gymnasium.error.NameNotFound):
    """`make`/`spec` was given an id that no registered env has."""

    @classmethod
    def for_id(cls, env_id: str, known: Iterable[str]) -> UnknownEnvError:
        """Builds the error with a 'did you mean' suggestion or the existing versions of the name."""
        known = sorted(known)
        name = env_id.rsplit("-v", 1)[0]
        versions = [k for k in known if k.rsplit("-v", 1)[0] == name]
        if versions:
            hint = f"Versions that exist: {', '.join(versions)}."
        else:
            close = difflib.get_close_matches(env_id, known, n=3, cutoff=0.6)
            hint = f"Did you mean {' or '.join(repr(c) for c in close)}?" if close else "Run `agora list`."
        return cls(f"No env is registered as {env_id!r}. {hint}")


class PluginError(AgoraError):
    """A third-party plugin's entry point failed to load; carries the plugin name and the cause."""

    def __init__(self, plugin: str, cause: BaseException):
        self.plugin = plugin
        self.cause = cause
        super().__init__(f"plugin {plugin!r} failed to load: {type(cause).__name__}: {cause}")


class ResetNeeded(AgoraError, gymnasium.error.ResetNeeded):
    """`step` (or another episode call) came before `reset`, or after the episode ended."""


class GameSetupError(AgoraError):
    """A game was built with options it cannot use, or given opponents that do not fit its seats."""


class UnknownAgentError(AgoraError):
    """An agent name is not one the game or the agent registry knows."""

    @classmethod
    def for_name(cls, name: str, known: Iterable[str]) -> UnknownAgentError:
        """Builds the error listing the names that do exist."""
        return cls(f"Unknown agent {name!r}. Known agents: {', '.join(sorted(known))}, or 'module:callable'.")


class CheckFailed(AgoraError):
    """A conformance check (`check_env`, `check_game`) found the env breaking the contract."""


class MissingDependency(AgoraError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""

    def __init__(self, module: str, extra: str):
        self.module = module
        self.extra = extra
        super().__init__(f"{module!r} is not installed. Install it with: pip install 'agora[{extra}]'")


class RolloutAborted(AgoraError):
    """A rollout stopped early because too many episodes failed; finished episodes stay on disk."""


class AgentTimeout(AgoraError, TimeoutError):
    """An agent took longer than the rollout's `agent_timeout_s` to answer."""
