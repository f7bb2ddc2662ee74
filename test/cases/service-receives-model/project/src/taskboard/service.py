"""Application service: the rules around tasks."""
from taskboard.models import Task
from taskboard.repository import TaskRepository


class DuplicateTask(ValueError):
    pass


class TaskService:
    def __init__(self, repository: TaskRepository) -> None:
        self.repository = repository

    async def create(self, task: Task) -> Task:
        """Store a new task.

        Args:
            task: The task to store, as the caller built it.
        """
        for existing in await self.repository.list_open():
            if existing.title.casefold() == task.title.casefold():
                raise DuplicateTask(f"an open task is already called {task.title!r}")
        await self.repository.add(task)
        return task

    async def get_task(self, task_id: str) -> Task | None:
        return await self.repository.get(task_id)

    async def open_tasks(self) -> list[Task]:
        return await self.repository.list_open()
