/** Pads a sample's database module with realistic extra methods, so the bench edits a large file. */

const METHOD = (i: number) => `
    async def count_tasks_in_window_${i}(self, status: TaskStatus, since: datetime) -> int:
        """Count tasks of one status submitted since a moment (report ${i})."""
        cursor = await self.connection.execute(
            "SELECT COUNT(*) FROM tasks WHERE status = ? AND submitted_at >= ?",
            (status.value, since.isoformat()),
        )
        row = await cursor.fetchone()
        return int(row[0]) if row is not None else 0

    async def list_tasks_of_session_${i}(self, session_id: str, limit: int = 100) -> list[Task]:
        """List the tasks of one session, oldest first (view ${i})."""
        cursor = await self.connection.execute(
            "SELECT * FROM tasks WHERE session_id = ? ORDER BY submitted_at ASC LIMIT ?",
            (session_id, limit),
        )
        rows = await cursor.fetchall()
        return [self._row_to_task(row) for row in rows]

    async def touch_tasks_${i}(self, task_ids: list[UUID]) -> int:
        """Bump the retry counter of several tasks at once (maintenance job ${i})."""
        updated = 0
        for task_id in task_ids:
            cursor = await self.connection.execute(
                "UPDATE tasks SET retry_count = retry_count + 1 WHERE id = ?",
                (str(task_id),),
            )
            updated += cursor.rowcount
        await self.connection.commit()
        return updated
`;

/** The module with methods appended to its last class until it has at least `lines` lines. */
export function padDatabaseModule(source: string, lines: number): string {
  let out = source.endsWith('\n') ? source : `${source}\n`;
  for (let i = 1; out.split('\n').length < lines; i++) out += METHOD(i);
  return out;
}
