"""The clips table on aiosqlite: schema, migrations, rows in and out."""
import json
import logging
from datetime import datetime
from pathlib import Path
from uuid import UUID

import aiosqlite

from marginalia.domain.models import Clip, ClipKind

logger = logging.getLogger(__name__)


class ClipDatabase:
    """Opens the database file, keeps its schema current, stores and reads clips."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the database is not open: call connect() first")
        return self._conn

    async def connect(self) -> None:
        self._conn = await aiosqlite.connect(self.path)
        self._conn.row_factory = aiosqlite.Row
        await self._create_tables()
        await self._run_migrations()

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _create_tables(self) -> None:
        await self.conn.execute(
            """
            CREATE TABLE IF NOT EXISTS clips (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                title TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'article',
                tags TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL
            )
            """
        )
        await self.conn.commit()

    async def _run_migrations(self) -> None:
        """Columns added after the first release, for databases created before them."""
        cursor = await self.conn.execute("PRAGMA table_info(clips)")
        columns = [row[1] for row in await cursor.fetchall()]
        if "kind" not in columns:
            logger.info("migrating clips: adding kind")
            await self.conn.execute("ALTER TABLE clips ADD COLUMN kind TEXT NOT NULL DEFAULT 'article'")
            await self.conn.commit()
        if "tags" not in columns:
            logger.info("migrating clips: adding tags")
            await self.conn.execute("ALTER TABLE clips ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'")
            await self.conn.commit()

    async def insert_clip(self, clip: Clip) -> None:
        await self.conn.execute(
            "INSERT INTO clips (id, url, title, kind, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(clip.id),
                clip.url,
                clip.title,
                clip.kind.value,
                json.dumps(clip.tags),
                clip.created_at.isoformat(),
            ),
        )
        await self.conn.commit()

    async def get_clip(self, clip_id: UUID) -> Clip | None:
        cursor = await self.conn.execute("SELECT * FROM clips WHERE id = ?", (str(clip_id),))
        row = await cursor.fetchone()
        return self._row_to_clip(row) if row is not None else None

    async def list_clips(self, kind: ClipKind | None = None) -> list[Clip]:
        if kind is None:
            cursor = await self.conn.execute("SELECT * FROM clips ORDER BY created_at")
        else:
            cursor = await self.conn.execute(
                "SELECT * FROM clips WHERE kind = ? ORDER BY created_at", (kind.value,)
            )
        return [self._row_to_clip(row) for row in await cursor.fetchall()]

    def _row_to_clip(self, row: aiosqlite.Row) -> Clip:
        return Clip(
            id=UUID(row["id"]),
            url=row["url"],
            title=row["title"],
            kind=ClipKind(row["kind"]),
            tags=json.loads(row["tags"]),
            created_at=datetime.fromisoformat(row["created_at"]),
        )
