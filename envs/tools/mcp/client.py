"""A synchronous handle on an MCP server started as a subprocess over stdio (`mcp` SDK).

The SDK is async and its transports must be entered and left by one task, so `MCPConnection`
runs one event loop in a daemon thread with one long-lived task that owns the `mcp.Client`; calls
from the env travel to that task through a queue and come back as futures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from agora._optional import require
from agora.errors import InfraError


class MCPServerError(InfraError):
    """The MCP server could not be started, or stopped answering; carries the command."""

    def __init__(self, command: list[str], cause: BaseException):
        self.command = command
        self.cause = cause
        super().__init__(f"MCP server {' '.join(command)!r} failed: {type(cause).__name__}: {cause}")


class MCPConnection:
    """A running MCP server (``command`` over stdio) with blocking `list_tools` and `call_tool`."""

    def __init__(self, command: list[str], *, env: dict[str, str] | None = None, timeout_s: float = 30.0):
        mcp = require("mcp", "text")
        from mcp.client.stdio import StdioServerParameters

        self.command, self.timeout_s = list(command), timeout_s
        self._params = StdioServerParameters(command=command[0], args=command[1:], env=env)
        self._client_class = mcp.Client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="agora-mcp", daemon=True)
        self._thread.start()
        self._queue: asyncio.Queue | None = None
        self._closed = False
        ready: concurrent.futures.Future = concurrent.futures.Future()
        self._main = asyncio.run_coroutine_threadsafe(self._serve(ready), self._loop)
        try:
            ready.result(timeout_s)
        except Exception as e:
            self.close()
            raise MCPServerError(self.command, e) from e

    async def _serve(self, ready: concurrent.futures.Future) -> None:
        try:
            async with self._client_class(self._params, read_timeout_seconds=self.timeout_s) as client:
                self._queue = asyncio.Queue()
                ready.set_result(None)
                while (item := await self._queue.get()) is not None:
                    fn, future = item
                    try:
                        future.set_result(await fn(client))
                    except Exception as e:
                        future.set_exception(e)
        except Exception as e:
            if not ready.done():
                ready.set_exception(e)

    def _run(self, fn: Callable[[Any], Awaitable[Any]]) -> Any:
        if self._queue is None or self._main.done():
            raise MCPServerError(self.command, RuntimeError("the connection is closed"))
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (fn, future))
        try:
            return future.result(self.timeout_s)
        except concurrent.futures.TimeoutError as e:
            raise MCPServerError(self.command, TimeoutError(f"no answer within {self.timeout_s} s")) from e
        except Exception as e:  # the SDK's "Connection closed" and other transport failures
            raise MCPServerError(self.command, e) from e

    @property
    def alive(self) -> bool:
        """True while the server answers requests (False once closed or after the server died)."""
        return not self._closed and self._queue is not None and not self._main.done()

    def list_tools(self) -> list[Any]:
        """The server's tools (``mcp`` Tool objects: name, description, input_schema)."""
        return list(self._run(lambda client: client.list_tools()).tools)

    def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Calls a tool; returns the SDK's CallToolResult (content, structured_content, is_error)."""
        return self._run(lambda client: client.call_tool(name, arguments))

    def close(self) -> None:
        """Stops the server process and the event loop thread (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        if self._queue is not None and not self._main.done():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
        try:
            self._main.result(10)
        except Exception:
            pass  # the server is going away either way
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()
        self._queue = None


def result_text(result: Any) -> str:
    """The text of a CallToolResult's content blocks (non-text blocks named by their type)."""
    parts = [getattr(block, "text", None) or f"[{block.type} content]" for block in result.content]
    return "\n".join(parts) if parts else "(empty result)"


def result_value(result: Any) -> Any:
    """The structured value of a CallToolResult (unwrapping the SDK's ``{"result": ...}``), else its text."""
    value = result.structured_content
    if isinstance(value, dict) and set(value) == {"result"}:
        return value["result"]
    return value if value is not None else result_text(result)
