"""Builds the MCP server and runs it over stdio."""
import asyncio
import os
from pathlib import Path

from mcp.server.fastmcp import FastMCP

from marginalia.infrastructure.database import ClipDatabase
from marginalia.presentation.tools import register_clip_tools
from marginalia.services.clip_service import ClipService


def build_server(service: ClipService) -> FastMCP:
    mcp = FastMCP("marginalia")
    register_clip_tools(mcp, service)
    return mcp


def main() -> None:  # pragma: no cover - the stdio entry point
    path = Path(os.environ.get("MARGINALIA_DB", "marginalia.db"))
    db = ClipDatabase(path)
    asyncio.run(db.connect())
    build_server(ClipService(db)).run()
