"""Persistence of tasks."""
from datetime import datetime

import aiosqlite

from taskboard.database import Database
from taskboard.models import Priority, Task


class TaskRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, task: Task) -> None:
        conn = self.db.connection()
        await conn.execute(
            "INSERT INTO tasks (id, title, priority, done, created_at) VALUES (?, ?, ?, ?, ?)",
            (task.id, task.title, task.priority.value, int(task.done), task.created_at.isoformat()),
        )
        await conn.commit()

    async def get(self, task_id: str) -> Task | None:
        cursor = await self.db.connection().execute("SELECT * FROM tasks WHERE id = ?", (task_id,))
        row = await cursor.fetchone()
        return self._row_to_task(row) if row else None

    async def list_open(self) -> list[Task]:
        cursor = await self.db.connection().execute(
            "SELECT * FROM tasks WHERE done = 0 ORDER BY created_at"
        )
        return [self._row_to_task(row) for row in await cursor.fetchall()]

    def _row_to_task(self, row: aiosqlite.Row) -> Task:
        return Task(
            id=row["id"],
            title=row["title"],
            priority=Priority(row["priority"]),
            done=bool(row["done"]),
            created_at=datetime.fromisoformat(row["created_at"]),
        )
