"""Loads env families registered through the `agora.envs` entry-point group.

Built-in families and third-party packages use the same mechanism: a package declares

    [project.entry-points."agora.envs"]
    mygames = "mygames.registration:register_envs"

and the target (a function, called once, or a module, whose import registers) calls
`agora.register(...)` with string entry points, so loading stays cheap. A plugin that fails is
reported by name with its error (a warning, and `agora list`), and the others still load.
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points

from agora.errors import PluginError

GROUP = "agora.envs"
_loaded = False
_failures: dict[str, PluginError] = {}


def load_plugins() -> None:
    """Loads every `agora.envs` entry point once (later calls return at once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from agora.registry import _current_plugin

    for ep in entry_points(group=GROUP):
        token = _current_plugin.set(ep.name)
        try:
            target = ep.load()
            if callable(target):
                target()
        except Exception as e:  # a broken plugin must not hide the others
            _failures[ep.name] = PluginError(ep.name, e)
            warnings.warn(str(_failures[ep.name]), RuntimeWarning, stacklevel=2)
        finally:
            _current_plugin.reset(token)


def plugin_failures() -> dict[str, PluginError]:
    """The plugins that failed to load, by entry-point name."""
    load_plugins()
    return dict(_failures)
