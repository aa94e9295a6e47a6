"""agora: Gymnasium-style multi-turn environments for training LLM agents, and the trainer.

Examples:
    >>> import agora
    >>> env = agora.make("games/TicTacToe-v0", opponent="minimax", seat=0)
    >>> obs, info = env.reset(seed=0)
    >>> info["legal_actions"][:3]
    ['[0]', '[1]', '[2]']
"""

from agora.adapter import GameEnv
from agora.agent import Agent, AgentReply, FunctionAgent, RandomAgent, register_agent_prefix, resolve_agent
from agora.checks import check_env, check_game
from agora.core import INFO_KEYS, TextEnv
from agora.game import TurnBasedGame
from agora.registry import EnvSpec, list_envs, make, register, spec
from agora.spaces import TextObs, TextSpace

__version__ = "0.1.0"

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

# Registration only (string entry points): loading it here lets `gymnasium.make(id)` see every id
# right after `import agora`. See agora/plugins.py.
from agora.plugins import load_plugins as _load_plugins  # noqa: E402

_load_plugins()
