"""Tool-use envs: the agent calls tools (JSON function calls, specs in ``info["tools"]``) and then answers."""

from __future__ import annotations

import agora

# id -> entry point, one line per env
TOOLS_ENVS = {
    "tools/PythonCalc-v0": "agora.envs.tools.python_calc.env:PythonCalc",
}
# id -> turns after which `make` truncates the episode (ids not listed: no limit)
MAX_TURNS = {
    "tools/PythonCalc-v0": 10,
}


def register_envs() -> None:
    """Registers every tools env (called through the `agora.envs` entry point)."""
    for env_id, entry_point in TOOLS_ENVS.items():
        agora.register(env_id, entry_point, max_turns=MAX_TURNS.get(env_id))
