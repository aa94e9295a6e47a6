"""Tool-use envs: the agent calls JSON-schema tools (``info["tools"]``) and ends with ``answer``."""

from __future__ import annotations

from agora.registry import register_all

ENVS: dict[str, tuple[str, int | None]] = {
    "tools/PythonCalc-v0": ("agora.envs.tools.python_calc.env:PythonCalc", 10),
    "tools/SQL-v0": ("agora.envs.tools.sql.env:SQLEnv", 12),
    "tools/Search-v0": ("agora.envs.tools.search.env:SearchEnv", 12),
    "tools/MCP-v0": ("agora.envs.tools.mcp.env:MCPEnv", 16),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
