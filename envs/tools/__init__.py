"""Tool-use envs: the agent calls JSON-schema tools (``info["tools"]``) and ends with ``answer``."""

from __future__ import annotations

import agora

ENVS: dict[str, str] = {
    "tools/PythonCalc-v0": "agora.envs.tools.python_calc.env:PythonCalc",
    "tools/SQL-v0": "agora.envs.tools.sql.env:SQLEnv",
    "tools/Search-v0": "agora.envs.tools.search.env:SearchEnv",
    "tools/MCP-v0": "agora.envs.tools.mcp.env:MCPEnv",
}
MAX_TURNS: dict[str, int] = {"tools/PythonCalc-v0": 10, "tools/SQL-v0": 12, "tools/Search-v0": 12, "tools/MCP-v0": 16}


def register_envs() -> None:
    """Registers every tool-use env (called through the `agora.envs` entry point)."""
    for env_id, entry_point in ENVS.items():
        agora.register(env_id, entry_point, max_turns=MAX_TURNS.get(env_id))
