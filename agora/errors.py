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


class EnvArgumentError(AgoraError, TypeError):
    """`make` got a keyword the env does not take; the message names the env, close matches and valid ones."""

    @classmethod
    def for_kwarg(cls, env_id: str, name: str, valid: Iterable[str]) -> EnvArgumentError:
        """The error for the unknown keyword `name` of `env_id`, suggesting the closest of `valid`."""
        valid = sorted(set(valid))
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return cls(f"{env_id} takes no argument {name!r}.{hint} Valid options: {', '.join(valid) or 'none'}.")


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
    def for_name(cls, name: str, known: Iterable[str], prefixes: Iterable[str] = ()) -> UnknownAgentError:
        """Builds the error listing the names that do exist, then the registered spec prefixes."""
        prefixes = sorted(prefixes)
        spec_forms = f"; spec prefixes: {', '.join(f'{p}:...' for p in prefixes)}" if prefixes else ""
        return cls(
            f"Unknown agent {name!r}. Known agents: {', '.join(sorted(known))}{spec_forms}; or 'module:callable'."
        )


class CheckFailed(AgoraError):
    """A conformance check (`check_env`, `check_game`) found the env breaking the contract."""


class MissingDependency(AgoraError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""

    def __init__(self, module: str, extra: str):
        self.module = module
        self.extra = extra
        super().__init__(f"{module!r} is not installed. Install it with: pip install 'agora[{extra}]'")


class TournamentError(AgoraError):
    """A tournament got input it cannot use: no games, a single-agent env, another tournament's log."""


class InfraError(AgoraError):
    """The infrastructure under an env failed (sandbox, engine, browser, tool server, connection, cluster).

    Never the agent's or the env logic's fault: the rollout records such an episode as failed with
    ``Episode.meta["infra_failure"]`` set, and a resumed run plays it again.
    """


class SandboxError(InfraError):
    """A sandbox operation failed (not the command inside it: that is an `ExecResult`).

    Carries the command, its exit code and stderr as fields when they are known.
    """

    def __init__(
        self, message: str, *, command: str | None = None, exit_code: int | None = None, stderr: str | None = None
    ):
        self.command = command
        self.exit_code = exit_code
        self.stderr = stderr
        super().__init__(message)


class SandboxCrashed(SandboxError):
    """The sandbox's command server died (e.g. killed by the kernel); the next call replaces the sandbox."""


class EngineUnavailable(SandboxError):
    """No Docker engine answers; the message says how to start one."""

    def __init__(self, cause: BaseException | str):
        self.cause = cause
        super().__init__(
            f"No Docker engine is reachable ({cause}). Start one: as root, "
            "`dockerd > /var/log/dockerd.log 2>&1 &` (or `systemctl start docker`), then check with "
            "`docker info`; CI does this in scripts/setup.d/20-docker.sh. Without Docker, use "
            "agora.sandbox.create(backend='local') (bubblewrap, weaker isolation: trusted code only)."
        )


class ImageNotBuilt(SandboxError):
    """The sandbox image is not in the engine; the message names the command that builds it."""

    def __init__(self, image: str, stale: bool = False):
        self.image = image
        what = "was built from another version of agora's command server" if stale else "is not built"
        super().__init__(
            f"The sandbox image {image!r} {what}. Build it with: "
            "agora containers build --offline (or without --offline where a registry "
            "is reachable)."
        )


class RolloutAborted(AgoraError):
    """A rollout stopped early because too many episodes failed; finished episodes stay on disk."""


class WorkerProcessLost(InfraError):
    """A rollout worker process ended (killed, out of memory) before it sent an episode: that episode failed."""


class WorkerProcessFailed(AgoraError):
    """A rollout worker process failed outside any episode (a bug): the run stops with its traceback."""


class AgentTimeout(AgoraError, TimeoutError):
    """An agent took longer than the rollout's `agent_timeout_s` to answer."""


class BrowserError(InfraError):
    """The headless browser behind a web or GUI env could not be started or stopped working."""


class BrowserNotFound(BrowserError):
    """No Chromium executable was found; the message says how to install Debian's."""


class BrowserCrashed(BrowserError):
    """The browser process died (or its page closed) during an episode: an infrastructure failure."""


class ProtocolError(AgoraError):
    """A message of agora's env server protocol was malformed, oversized or out of order."""


class RemoteEnvError(AgoraError):
    """An env behind `agora serve` raised an exception that has no agora or builtin counterpart."""


class RemoteConnectionLost(InfraError, ConnectionError):
    """The connection to an `agora serve` server failed or closed; the session's envs are gone."""


class ServerConfigError(AgoraError):
    """`agora serve` was asked for an unsafe or impossible setup (e.g. a public bind without a token)."""
