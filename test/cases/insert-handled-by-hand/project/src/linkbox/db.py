"""SQLite persistence."""
import json
from datetime import datetime

import aiosqlite

from linkbox.models import Bookmark


class LinkDB:
    """Stores bookmarks in SQLite."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.conn: aiosqlite.Connection | None = None

    async def connect(self) -> None:
        self.conn = await aiosqlite.connect(self.path)
        self.conn.row_factory = aiosqlite.Row
        await self._create_tables()
        await self._run_migrations()

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None

    async def _create_tables(self) -> None:
        assert self.conn is not None
        await self.conn.execute(
            """
            CREATE TABLE IF NOT EXISTS bookmarks (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                title TEXT NOT NULL,
                tags TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL
            )
            """
        )
        await self.conn.commit()

    async def _run_migrations(self) -> None:
        assert self.conn is not None
        cursor = await self.conn.execute("PRAGMA table_info(bookmarks)")
        columns = [row[1] for row in await cursor.fetchall()]
        if "tags" not in columns:
            await self.conn.execute("ALTER TABLE bookmarks ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'")
            await self.conn.commit()

    async def insert_bookmark(self, bookmark: Bookmark) -> None:
        assert self.conn is not None
        await self.conn.execute(
            "INSERT INTO bookmarks (id, url, title, tags, created_at) VALUES (?, ?, ?, ?, ?)",
            (
                bookmark.id,
                bookmark.url,
                bookmark.title,
                json.dumps(bookmark.tags),
                bookmark.created_at.isoformat(),
            ),
        )
        await self.conn.commit()

    async def import_bookmarks(self, bookmarks: list[Bookmark], extra_columns: tuple[str, ...] = ()) -> int:
        """Bulk import (e.g. from a browser export); extra_columns are copied from the models as they are."""
        assert self.conn is not None
        columns = ["id", "url", "title", "tags", "created_at", *extra_columns]
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO bookmarks ({', '.join(columns)}) VALUES ({placeholders})"
        await self.conn.executemany(
            sql,
            [
                (
                    b.id,
                    b.url,
                    b.title,
                    json.dumps(b.tags),
                    b.created_at.isoformat(),
                    *(getattr(b, c) for c in extra_columns),
                )
                for b in bookmarks
            ],
        )
        await self.conn.commit()
        return len(bookmarks)

    async def get_bookmark(self, bookmark_id: str) -> Bookmark | None:
        assert self.conn is not None
        cursor = await self.conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,))
        row = await cursor.fetchone()
        return self._row_to_bookmark(row) if row else None

    def _row_to_bookmark(self, row: aiosqlite.Row) -> Bookmark:
        return Bookmark(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            tags=json.loads(row["tags"]),
            created_at=datetime.fromisoformat(row["created_at"]),
        )
