"""agora: Gymnasium-style multi-turn environments for training LLM agents, and the trainer.

Examples:
    >>> import agora
    >>> env = agora.make("games/TicTacToe-v0", opponent="minimax", seat=0)
    >>> obs, info = env.reset(seed=0)
    >>> info["legal_actions"][:3]
    ['[0]', '[1]', '[2]']

``import agora`` loads the registry and the families' registrations only; every other name below is
imported on first use (``agora.TextEnv``, ``from agora import GameEnv``), so the import stays light
(`tests/test_import_graph.py` checks which modules it loads).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agora.registry import EnvSpec, list_envs, make, register, spec

if TYPE_CHECKING:
    from agora.adapter import GameEnv
    from agora.agent import Agent, AgentReply, FunctionAgent, RandomAgent, register_agent_prefix, resolve_agent
    from agora.checks import check_env, check_game
    from agora.core import INFO_KEYS, TextEnv
    from agora.game import TurnBasedGame
    from agora.spaces import TextObs, TextSpace

__version__ = "0.1.0"

_LAZY = {
    "GameEnv": "agora.adapter",
    "Agent": "agora.agent",
    "AgentReply": "agora.agent",
    "FunctionAgent": "agora.agent",
    "RandomAgent": "agora.agent",
    "register_agent_prefix": "agora.agent",
    "resolve_agent": "agora.agent",
    "check_env": "agora.checks",
    "check_game": "agora.checks",
    "INFO_KEYS": "agora.core",
    "TextEnv": "agora.core",
    "TurnBasedGame": "agora.game",
    "TextObs": "agora.spaces",
    "TextSpace": "agora.spaces",
}
"""Public names imported on first use: name -> the module that defines it."""

__all__ = [
    "Agent",
    "AgentReply",
    "EnvSpec",
    "FunctionAgent",
    "GameEnv",
    "INFO_KEYS",
    "RandomAgent",
    "TextEnv",
    "TextObs",
    "TextSpace",
    "TurnBasedGame",
    "check_env",
    "check_game",
    "list_envs",
    "make",
    "register",
    "register_agent_prefix",
    "resolve_agent",
    "spec",
]


def __getattr__(name: str) -> Any:
    """Imports a public name of `_LAZY` on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agora' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted({*globals(), *_LAZY})


# Registration only (string entry points): loading it here lets `gymnasium.make(id)` see every id
# right after `import agora`. See agora/plugins.py.
from agora.plugins import load_plugins as _load_plugins  # noqa: E402

_load_plugins()
