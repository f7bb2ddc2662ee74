import json

import pytest

from taskboard import server
from taskboard.models import Priority, Task
from taskboard.service import DuplicateTask


async def test_create_and_read_back(service):
    created = await service.create(Task(title="Write the report", priority=Priority.HIGH))
    assert await service.get_task(created.id) == created


async def test_duplicate_titles_are_refused(service):
    await service.create(Task(title="Call Ann"))
    with pytest.raises(DuplicateTask):
        await service.create(Task(title="call ann"))


async def test_tool_creates_a_task(service):
    server.set_service(service)
    result = await server.mcp.call_tool("task_create", {"title": "Buy milk"})
    content = result[0] if isinstance(result, tuple) else result
    assert json.loads(content[0].text)["title"] == "Buy milk"
    assert [t.title for t in await service.open_tasks()] == ["Buy milk"]
