"""The MCP tools, called the way an assistant calls them."""

import asyncio
import json
from typing import Any
from uuid import uuid4

from papertrail.mcp.paper_server import PaperTrailServer
from papertrail.mcp.server import Server

TOOLS = {
    "paper_add", "paper_get", "paper_list", "paper_search", "paper_set_status", "note_add", "highlight_add",
    "session_log", "collection_create", "collection_add", "reading_plan", "library_stats",
}


async def test_every_tool_is_listed_with_a_schema(server: PaperTrailServer) -> None:
    tools = await server.list_tools()
    assert {tool["name"] for tool in tools} == TOOLS
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object", tool["name"]
    add = next(tool for tool in tools if tool["name"] == "paper_add")
    assert add["inputSchema"]["required"] == ["title"]


async def test_a_reading_session_through_the_tools(server: PaperTrailServer) -> None:
    paper = await server.call_tool(
        "paper_add", {"title": "Dune", "authors": ["Herbert, Frank"], "pages": 4, "tags": ["SF"], "priority": 5}
    )
    assert paper["tags"] == ["sf"] and paper["status"] == "to_read"
    pid = paper["id"]
    assert (await server.call_tool("note_add", {"paper_id": pid, "body": "spice", "kind": "idea"}))["kind"] == "idea"
    assert (await server.call_tool("highlight_add", {"paper_id": pid, "quote": "fear", "page": 1}))["page"] == 1
    session = await server.call_tool("session_log", {"paper_id": pid, "minutes": 15, "pages_from": 1, "pages_to": 4})
    assert session["minutes"] == 15
    got = await server.call_tool("paper_get", {"paper_id": pid})
    assert got["status"] == "read" and got["finished_at"] is not None
    assert [n["body"] for n in got["notes"]] == ["spice"] and [h["quote"] for h in got["highlights"]] == ["fear"]
    assert (await server.call_tool("paper_set_status", {"paper_id": pid, "status": "reading"}))["status"] == "reading"
    assert (await server.call_tool("paper_search", {"query": "herbert"}))["count"] == 1
    listed = await server.call_tool("paper_list", {"status": "reading", "tag": "SF", "order": "title"})
    assert listed["count"] == 1
    assert (await server.call_tool("collection_create", {"name": "Desert"}))["archived"] is False
    assert (await server.call_tool("collection_add", {"name": "desert", "paper_id": pid}))["position"] == 0
    assert (await server.call_tool("paper_list", {"collection": "Desert"}))["count"] == 1
    plan = await server.call_tool("reading_plan", {"minutes": 30})
    assert [p["paper"]["title"] for p in plan["plan"]] == ["Dune"] and plan["minutes"] == 5
    stats = await server.call_tool("library_stats", {})
    assert stats["papers"] == 1 and stats["minutes_this_week"] == 15


async def test_errors_come_back_as_results(server: PaperTrailServer) -> None:
    assert (await server.call_tool("paper_fly", {}))["error"] == "UnknownTool"
    assert (await server.call_tool("paper_get", {"paper_id": str(uuid4())}))["error"] == "NotFound"
    assert (await server.call_tool("paper_get", {}))["error"] == "InvalidArguments"
    assert (await server.call_tool("paper_add", {"title": "x", "year": 1}))["error"] == "ValidationError"
    await server.call_tool("collection_create", {"name": "dup"})
    assert (await server.call_tool("collection_create", {"name": "dup"}))["error"] == "Conflict"


async def test_json_rpc_over_a_stream(server: PaperTrailServer) -> None:
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "paper_add", "arguments": {"title": "T"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "nope"}},
        {"jsonrpc": "2.0", "id": 5, "method": "resources/list"},
        {"jsonrpc": "2.0", "id": 6, "method": "ping"},
    ]
    reader = asyncio.StreamReader()
    for request in requests:
        reader.feed_data(json.dumps(request).encode() + b"\n")
    reader.feed_data(b"{not json\n")
    reader.feed_eof()
    written: list[dict[str, Any]] = []
    await server.server.serve(reader, lambda text: written.append(json.loads(text)))
    assert [w["id"] for w in written] == [1, 2, 3, 4, 5, 6, None]
    assert written[0]["result"]["serverInfo"]["name"] == "papertrail"
    assert len(written[1]["result"]["tools"]) == len(TOOLS)
    added = json.loads(written[2]["result"]["content"][0]["text"])
    assert added["title"] == "T" and written[2]["result"]["isError"] is False
    assert written[3]["result"]["isError"] is True
    assert written[4]["error"]["code"] == -32601
    assert written[5]["result"] == {}
    assert written[6]["error"]["code"] == -32700


async def test_a_failing_handler_does_not_end_the_session() -> None:
    server = Server("broken")

    @server.call_tool()
    async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("disk full")

    answer = await server.handle({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "x"}})
    assert answer is not None and answer["error"] == {"code": -32603, "message": "disk full"}
