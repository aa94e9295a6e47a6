"""Any Model Context Protocol server as an env: its tools are the agent's tools, a task list gives goals.

**Server.** ``server`` is the command that starts an MCP server speaking stdio (a list, e.g.
``["npx", "some-mcp-server"]``); the env talks to it with the ``mcp`` SDK. By default it is the
notes/calendar server shipped with agora (`agora.envs.tools.mcp.notes_server`) with its tasks
(`agora.envs.tools.mcp.tasks.notes_tasks`). Each episode starts from a fresh server: the process
is restarted at reset, unless ``reset_tool`` names a tool that empties the server (the shipped
server's ``reset_state``, used by default), which the env then calls instead and hides from the agent.

**Task.** The seed picks one of ``tasks`` (`MCPTask`: goal, setup calls, checks, expected answer);
``reset(options={"task_index": i})`` picks one directly. The env runs the setup calls, then shows
the goal.

**Tools.** The server's tools, as listed by the server (``info["tools"]``, OpenAI format, their
input schemas unchanged), plus ``answer(answer)``, which ends the episode. One JSON call per reply:
``{"name": "add_note", "arguments": {"title": "...", "body": "..."}}``. A tool's result (its text
content) is the next observation; a tool error comes back as ``Error: ...`` with ``info["error"]``.

**Rewards.** On ``answer``: the fraction of the task's checks that pass (state checks made with
tool calls after the episode, plus the expected answer when the task has one), so 1.0 means the
task is done. ``info["score"]`` lists each check. Other calls earn 0; a malformed call, unknown
tool or arguments that do not fit the schema earn -0.1. If the server dies, the episode ends with
``info["infra_error"]``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from agora.envs.tools.base import ToolEnv, ToolResult, answer_spec, option_index
from agora.envs.tools.mcp.client import MCPConnection, MCPServerError, result_text, result_value
from agora.envs.tools.mcp.tasks import MCPTask, contains, notes_tasks
from agora.errors import AgoraError
from agora.tools import ToolCall, tool_spec

NOTES_SERVER = [sys.executable, "-m", "agora.envs.tools.mcp.notes_server"]
INSTRUCTIONS = (
    "Reach the goal with the tools. Call one tool per reply as one JSON object, e.g. "
    '{{"name": "{example}", "arguments": {{...}}}}. When you are done, call `answer` (with the answer '
    "if the goal asks a question, else 'done')."
)


def _normalize(text: str) -> str:
    return " ".join(text.lower().strip().rstrip(".").split())


class MCPEnv(ToolEnv):
    """An MCP server's tools plus a task list, as a tool-use env (see the module docs)."""

    def __init__(
        self,
        server: Sequence[str] | None = None,
        tasks: Sequence[MCPTask | dict] | None = None,
        reset_tool: str | None = None,
        timeout_s: float = 30.0,
        render_mode: str | None = None,
    ):
        super().__init__(render_mode=render_mode)
        if server is None:
            server, reset_tool = NOTES_SERVER, reset_tool or "reset_state"
            tasks = notes_tasks() if tasks is None else tasks
        if not tasks:
            raise ValueError("MCPEnv needs tasks (MCPTask or dicts) for the server it runs.")
        self.tasks = [t if isinstance(t, MCPTask) else MCPTask.model_validate(t) for t in tasks]
        unscored = [i for i, t in enumerate(self.tasks) if not t.checks and t.answer is None]
        if unscored:
            raise ValueError(f"tasks {unscored[:5]} have neither checks nor an answer, so nothing scores them.")
        self.server, self.reset_tool, self.timeout_s = list(server), reset_tool, timeout_s
        self._conn: MCPConnection | None = None
        self.task: MCPTask | None = None

    def _fresh_server(self) -> MCPConnection:
        """The server, back in its initial state: reset by its reset tool, or restarted (also when it died)."""
        if self._conn is not None and self._conn.alive and self.reset_tool is not None:
            try:
                self._conn.call_tool(self.reset_tool, {})
                return self._conn
            except MCPServerError:
                pass  # it died or stopped answering: start a new one below
        if self._conn is not None:
            self._conn.close()
        self._conn = MCPConnection(self.server, timeout_s=self.timeout_s)
        return self._conn

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.task = self.tasks[option_index(options, "task_index", len(self.tasks), self.np_random)]
        conn = self._fresh_server()
        for call in self.task.setup:
            result = conn.call_tool(call.name, call.arguments)
            if result.is_error:
                raise AgoraError(
                    f"Setup call {call.model_dump()} of task {self.task.goal!r} failed: {result_text(result)}"
                )
        self._set_tools(self._specs(conn))
        instructions = INSTRUCTIONS.format(example=self._tools[0]["function"]["name"])
        return f"Goal: {self.task.goal}", self._info(instructions=instructions)

    def _specs(self, conn: MCPConnection) -> list[dict[str, Any]]:
        tools = [t for t in conn.list_tools() if t.name != self.reset_tool]
        if any(t.name == "answer" for t in tools):
            raise AgoraError(f"The MCP server {self.server} has its own 'answer' tool, which the env reserves.")
        specs = [tool_spec(t.name, t.description or "", t.input_schema) for t in tools]
        return [
            *specs,
            answer_spec("Finish the episode; give the answer if the goal asks a question, else 'done'."),
        ]

    def _call_tool(self, call: ToolCall) -> ToolResult:
        try:
            if call.name == "answer":
                return self._final(call.arguments["answer"])
            result = self._conn.call_tool(call.name, call.arguments)
        except MCPServerError as e:
            return f"The tool server failed: {e}", 0.0, True, {"infra_error": str(e)}
        if result.is_error:
            return self.tool_failed(result_text(result))
        return result_text(result), 0.0, False, {}

    def _final(self, answer: str) -> ToolResult:
        passed = []
        for check in self.task.checks:
            value = result_value(self._conn.call_tool(check.call.name, check.call.arguments))
            passed.append(value == check.expect if check.exact else contains(value, check.expect))
        if self.task.answer is not None:
            passed.append(_normalize(answer) == _normalize(self.task.answer))
        reward = sum(passed) / len(passed)
        return (
            f"Episode over. {sum(passed)} of {len(passed)} checks passed.",
            reward,
            True,
            {"score": {"checks": passed, "reward": reward}},
        )

    def close(self) -> None:
        """Stops the server."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
