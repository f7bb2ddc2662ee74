"""MCP server exposing the bookmark tools."""
import json
from typing import Any

from mcp.server import Server
from mcp.types import TextContent, Tool

from linkbox.models import Bookmark
from linkbox.service import LinkService

server = Server("linkbox")
_service: LinkService | None = None


def set_service(service: LinkService) -> None:
    global _service
    _service = service


def bookmark_to_dict(bookmark: Bookmark) -> dict[str, Any]:
    return {
        "id": bookmark.id,
        "url": bookmark.url,
        "title": bookmark.title,
        "tags": list(bookmark.tags),
        "archived": bookmark.archived,
        "created_at": bookmark.created_at.isoformat(),
    }


@server.list_tools()
async def list_tools() -> list[Tool]:
    return [
        Tool(
            name="bookmark_add",
            description="Save a link",
            inputSchema={
                "type": "object",
                "properties": {
                    "url": {"type": "string", "maxLength": 2048},
                    "title": {"type": "string", "maxLength": 200},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["url", "title"],
            },
        )
    ]


async def handle_bookmark_add(arguments: dict[str, Any]) -> dict[str, Any]:
    assert _service is not None
    bookmark = await _service.add_bookmark(
        url=arguments["url"],
        title=arguments["title"],
        tags=arguments.get("tags"),
    )
    return bookmark_to_dict(bookmark)


@server.call_tool()
async def call_tool(name: str, arguments: dict[str, Any]) -> list[TextContent]:
    if name == "bookmark_add":
        result = await handle_bookmark_add(arguments)
    else:
        raise ValueError(f"unknown tool {name}")
    return [TextContent(type="text", text=json.dumps(result))]
