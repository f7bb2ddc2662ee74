import json
from typing import Any
from uuid import uuid4

import pytest
from mcp.server.fastmcp.exceptions import ToolError

from marginalia.presentation.server import build_server
from marginalia.services.clip_service import ClipService


def data(result: Any) -> Any:
    content, structured = result
    return structured if structured is not None else json.loads(content[0].text)


async def test_lists_the_tools_with_their_schemas(service: ClipService) -> None:
    tools = {t.name: t for t in await build_server(service).list_tools()}
    assert sorted(tools) == ["clip_add", "clip_get", "clip_kinds", "clip_list"]
    schema = tools["clip_add"].inputSchema
    assert schema["required"] == ["url", "title"]
    assert schema["properties"]["url"]["maxLength"] == 2048
    assert schema["properties"]["tags"]["description"] == "Labels for the clip"


async def test_add_get_and_list(service: ClipService) -> None:
    server = build_server(service)
    added = data(await server.call_tool("clip_add", {"url": "https://a.example", "title": "A", "kind": "video"}))
    assert added["kind"] == "video"
    got = data(await server.call_tool("clip_get", {"clip_id": added["id"]}))
    assert got == added
    listed = data(await server.call_tool("clip_list", {"kind": "video"}))
    assert listed["clips"] == [added]
    assert data(await server.call_tool("clip_kinds", {}))["result"] == ["article", "video", "paper"]


async def test_unknown_clip(service: ClipService) -> None:
    missing = str(uuid4())
    got = data(await build_server(service).call_tool("clip_get", {"clip_id": missing}))
    assert got == {"error": f"no clip {missing}"}


async def test_invalid_arguments_are_refused(service: ClipService) -> None:
    with pytest.raises(ToolError, match="title"):
        await build_server(service).call_tool("clip_add", {"url": "https://a.example", "title": ""})
