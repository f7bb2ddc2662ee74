"""MCP tools (low-level server: the input schemas are dicts)."""
import json
from typing import Any

from mcp.types import TextContent, Tool

from taskboard.models import Priority, Task
from taskboard.service import TaskService


def task_to_dict(task: Task) -> dict[str, Any]:
    return task.model_dump(mode="json")


class TaskTools:
    def __init__(self, service: TaskService) -> None:
        self.service = service

    def list_tools(self) -> list[Tool]:
        return [
            Tool(
                name="task_create",
                description="Add a task to the board",
                inputSchema={
                    "type": "object",
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": 200},
                        "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                    },
                    "required": ["title"],
                },
            ),
            Tool(
                name="task_list",
                description="The open tasks",
                inputSchema={"type": "object", "properties": {}},
            ),
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> list[TextContent]:
        if name == "task_create":
            result: Any = await self.handle_task_create(arguments)
        elif name == "task_list":
            result = [task_to_dict(t) for t in await self.service.open_tasks()]
        else:
            raise ValueError(f"unknown tool {name}")
        return [TextContent(type="text", text=json.dumps(result))]

    async def handle_task_create(self, arguments: dict[str, Any]) -> dict[str, Any]:
        task = Task(
            title=arguments["title"],
            priority=Priority(arguments.get("priority", "normal")),
        )
        created = await self.service.create(task)
        return task_to_dict(created)
