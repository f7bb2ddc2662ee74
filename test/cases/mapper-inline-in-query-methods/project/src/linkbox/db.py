"""SQLite persistence: each query method maps its own rows."""
import json
from datetime import datetime

import aiosqlite

from linkbox.models import Bookmark

_SELECT_ONE = "SELECT id, url, title, tags, archived, created_at FROM bookmarks WHERE id = ?"


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
                archived INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL
            )
            """
        )
        await self.conn.commit()

    async def _run_migrations(self) -> None:
        assert self.conn is not None
        cursor = await self.conn.execute("PRAGMA table_info(bookmarks)")
        columns = [row[1] for row in await cursor.fetchall()]
        if "archived" not in columns:
            await self.conn.execute("ALTER TABLE bookmarks ADD COLUMN archived INTEGER NOT NULL DEFAULT 0")
            await self.conn.commit()

    async def insert_bookmark(self, bookmark: Bookmark) -> None:
        assert self.conn is not None
        await self.conn.execute(
            "INSERT INTO bookmarks (id, url, title, tags, archived, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                bookmark.id,
                bookmark.url,
                bookmark.title,
                json.dumps(bookmark.tags),
                int(bookmark.archived),
                bookmark.created_at.isoformat(),
            ),
        )
        await self.conn.commit()

    async def get_bookmark(self, bookmark_id: str) -> Bookmark | None:
        assert self.conn is not None
        async with self.conn.execute(_SELECT_ONE, (bookmark_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return Bookmark(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            tags=json.loads(row["tags"]),
            archived=bool(row["archived"]),
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    async def list_bookmarks(self) -> list[Bookmark]:
        assert self.conn is not None
        cursor = await self.conn.execute(
            "SELECT id, url, title, tags, archived, created_at FROM bookmarks ORDER BY created_at"
        )
        rows = await cursor.fetchall()
        return [
            Bookmark(
                id=r[0],
                url=r[1],
                title=r[2],
                tags=json.loads(r[3]),
                archived=bool(r[4]),
                created_at=datetime.fromisoformat(r[5]),
            )
            for r in rows
        ]
