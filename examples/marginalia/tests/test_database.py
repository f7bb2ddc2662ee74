import sqlite3
from pathlib import Path

import pytest

from marginalia.domain.models import Clip, ClipKind
from marginalia.infrastructure.database import ClipDatabase


async def test_unopened_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="connect"):
        ClipDatabase(tmp_path / "x.db").conn


async def test_round_trip(db: ClipDatabase) -> None:
    clip = Clip(url="https://example.org", title="Example", kind=ClipKind.PAPER, tags=["a", "b"])
    await db.insert_clip(clip)
    assert await db.get_clip(clip.id) == clip


async def test_old_database_gains_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE clips (id TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL, created_at TEXT NOT NULL)")
        conn.execute("INSERT INTO clips VALUES ('6f1c0bde-8d0a-4f57-9d55-0b8f1d3f0e41', 'https://old.example', 'Old', '2024-01-01T00:00:00+00:00')")
    db = ClipDatabase(path)
    await db.connect()
    try:
        [clip] = await db.list_clips()
        assert clip.kind is ClipKind.ARTICLE
        assert clip.tags == []
    finally:
        await db.close()
    await db.close()
