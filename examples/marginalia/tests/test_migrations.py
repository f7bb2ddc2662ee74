from pathlib import Path

from marginalia.infrastructure.database import ClipDatabase


async def test_opening_twice_keeps_the_schema(tmp_path: Path) -> None:
    seen = []
    for _ in range(2):
        db = ClipDatabase(tmp_path / "twice.db")
        await db.connect()
        cursor = await db.conn.execute("PRAGMA table_info(clips)")
        seen.append([row[1] for row in await cursor.fetchall()])
        await db.close()
    assert seen[0] == seen[1]
    assert seen[0][:6] == ["id", "url", "title", "kind", "tags", "created_at"]
