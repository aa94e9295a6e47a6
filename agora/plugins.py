"""Loads env families registered through the `agora.envs` entry-point group.

Built-in families and third-party packages use the same mechanism: a package declares

    [project.entry-points."agora.envs"]
    mygames = "mygames.registration:register_envs"

and the target (a function, called once, or a module, whose import registers) calls
`agora.register(...)` with string entry points, so loading stays cheap. A plugin that fails is
reported by name with its error (a warning, and `agora list`), and the others still load.

`load_callable` imports any ``"package.module:attr"`` target: env entry points, agent factories.
"""

from __future__ import annotations

import contextvars
import importlib
import warnings
from importlib.metadata import entry_points
from typing import Any

from agora.errors import AgoraError, PluginError

GROUP = "agora.envs"
_loaded = False
loading_plugin: contextvars.ContextVar[str | None] = contextvars.ContextVar("agora_plugin", default=None)
"""The entry-point name of the plugin being loaded (None outside `load_plugins`): `register` records it."""
_failures: dict[str, PluginError] = {}


def load_plugins() -> None:
    """Loads every `agora.envs` entry point once (later calls return at once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for ep in entry_points(group=GROUP):
        token = loading_plugin.set(ep.name)
        try:
            target = ep.load()
            if callable(target):
                target()
        except Exception as e:  # a broken plugin must not hide the others
            _failures[ep.name] = PluginError(ep.name, e)
            warnings.warn(str(_failures[ep.name]), RuntimeWarning, stacklevel=2)
        finally:
            loading_plugin.reset(token)


def plugin_failures() -> dict[str, PluginError]:
    """The plugins that failed to load, by entry-point name."""
    load_plugins()
    return dict(_failures)


def load_callable(target: str, *, error: type[AgoraError] = AgoraError, what: str = "target") -> Any:
    """Imports ``"package.module:attr"`` (``attr`` may be dotted) and returns the attribute.

    Args:
        target: the string to load.
        error: the exception raised when it cannot be loaded (the caller's, e.g. `UnknownAgentError`).
        what: what the target is, for the message (``"agent"``, ``"env games/X-v0"``).
    """
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise error(f"{target!r} is not of the form 'package.module:callable'.")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise error(f"Cannot import {module_name!r} for {what} {target!r}: {e}") from e
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as e:
            raise error(f"Module {module_name!r} has no attribute {attr!r}.") from e
    return obj
