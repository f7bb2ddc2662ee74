"""MCP server (FastMCP: each tool's signature is its schema)."""
from typing import Annotated, Any

from mcp.server.fastmcp import FastMCP
from pydantic import Field

from taskboard.models import Priority, Task
from taskboard.service import TaskService

mcp = FastMCP("taskboard")
_service: TaskService | None = None


def set_service(service: TaskService) -> None:
    global _service
    _service = service


@mcp.tool()
async def task_create(
    title: Annotated[str, Field(min_length=1, max_length=200, description="What to do")],
    priority: Priority = Priority.NORMAL,
) -> dict[str, Any]:
    """Add a task to the board.

    Args:
        title: What to do.
        priority: How urgent it is.
    """
    assert _service is not None
    task = Task(title=title, priority=priority)
    created = await _service.create(task)
    return created.model_dump(mode="json")


@mcp.tool()
async def task_list() -> list[dict[str, Any]]:
    """The open tasks."""
    assert _service is not None
    return [t.model_dump(mode="json") for t in await _service.open_tasks()]
