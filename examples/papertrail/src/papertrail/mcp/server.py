"""A small stand-in for the MCP SDK's low-level Server: handlers registered by decorators, served as
JSON-RPC 2.0 over stdio (one JSON message per line). stdout carries the protocol only: everything else
goes to the log (stderr)."""

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = "2024-11-05"

ListToolsHandler = Callable[[], Awaitable[list[dict[str, Any]]]]
CallToolHandler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
F = TypeVar("F", bound=Callable[..., Any])


class Server:
    """Holds the list_tools and call_tool handlers of one tool server."""

    def __init__(self, name: str, version: str = "0") -> None:
        self.name = name
        self.version = version
        self.list_tools_handler: ListToolsHandler | None = None
        self.call_tool_handler: CallToolHandler | None = None

    def list_tools(self) -> Callable[[F], F]:
        """Decorator registering the handler that lists the tools."""

        def decorator(func: F) -> F:
            self.list_tools_handler = func
            return func

        return decorator

    def call_tool(self) -> Callable[[F], F]:
        """Decorator registering the handler that runs a tool."""

        def decorator(func: F) -> F:
            self.call_tool_handler = func
            return func

        return decorator

    async def handle(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """Answer one JSON-RPC message (None for notifications)."""
        method = message.get("method")
        request_id = message.get("id")
        if request_id is None:
            return None  # Notifications (initialized, cancelled) need no answer.
        try:
            result = await self._dispatch(method, message.get("params") or {})
        except LookupError as exc:
            return {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32601, "message": str(exc)}}
        except Exception as exc:  # A broken handler must not end the session.
            logger.exception("request %s (%s) failed", request_id, method)
            return {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32603, "message": str(exc)}}
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    async def _dispatch(self, method: Any, params: dict[str, Any]) -> dict[str, Any]:
        if method == "initialize":
            return {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {"tools": {}},
                "serverInfo": {"name": self.name, "version": self.version},
            }
        if method == "ping":
            return {}
        if method == "tools/list" and self.list_tools_handler is not None:
            return {"tools": await self.list_tools_handler()}
        if method == "tools/call" and self.call_tool_handler is not None:
            result = await self.call_tool_handler(params["name"], params.get("arguments") or {})
            return {
                "content": [{"type": "text", "text": json.dumps(result)}],
                "isError": "error" in result,
            }
        raise LookupError(f"method not found: {method}")

    async def serve(self, reader: asyncio.StreamReader, write: Callable[[str], None]) -> None:
        """Answer messages from `reader` until it closes, one line each through `write`."""
        while line := await reader.readline():
            try:
                message = json.loads(line)
            except json.JSONDecodeError as exc:
                write(json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": str(exc)}}))
                continue
            answer = await self.handle(message)
            if answer is not None:
                write(json.dumps(answer))

    async def run_stdio(self) -> None:  # pragma: no cover - exercised through the subprocess test
        """Serve on this process's stdin/stdout."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

        def write(text: str) -> None:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()

        logger.info("%s serving MCP on stdio", self.name)
        await self.serve(reader, write)
