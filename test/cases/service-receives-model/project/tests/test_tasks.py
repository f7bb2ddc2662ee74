import json

import pytest

from taskboard.models import Priority, Task
from taskboard.service import DuplicateTask
from taskboard.tools import TaskTools


async def test_create_and_read_back(service):
    created = await service.create(Task(title="Write the report", priority=Priority.HIGH))
    assert await service.get_task(created.id) == created


async def test_duplicate_titles_are_refused(service):
    await service.create(Task(title="Call Ann"))
    with pytest.raises(DuplicateTask):
        await service.create(Task(title="call ann"))


async def test_tool_creates_a_task(service):
    tools = TaskTools(service)
    [content] = await tools.call_tool("task_create", {"title": "Buy milk"})
    assert json.loads(content.text)["title"] == "Buy milk"
    assert [t.title for t in await service.open_tasks()] == ["Buy milk"]
