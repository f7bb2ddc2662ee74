"""A reading log made by release 1.0 opens with today's code: every table upgraded, no row lost."""

import sqlite3
from pathlib import Path

from papertrail.domain.models import NoteKind, ReadingStatus
from papertrail.infrastructure.database import PaperDatabase

# The schema release 1.0 created (plus highlights and collections from 1.2, reading_sessions from 1.4).
RELEASE_1_SCHEMA = """
CREATE TABLE papers (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    authors TEXT,
    state TEXT NOT NULL DEFAULT 'new',
    tags TEXT NOT NULL DEFAULT '[]',
    added_at TEXT NOT NULL
);
CREATE TABLE notes (id TEXT PRIMARY KEY, paper_id TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE highlights (id TEXT PRIMARY KEY, paper_id TEXT NOT NULL, quote TEXT NOT NULL, page INTEGER,
                         created_at TEXT NOT NULL);
CREATE TABLE collections (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE collection_items (collection_id TEXT NOT NULL, paper_id TEXT NOT NULL, position INTEGER NOT NULL,
                               added_at TEXT NOT NULL, PRIMARY KEY (collection_id, paper_id));
CREATE TABLE reading_sessions (id TEXT PRIMARY KEY, paper_id TEXT NOT NULL, started_at TEXT NOT NULL,
                               minutes INTEGER NOT NULL);
"""

PAPER_A = "00000000-0000-4000-8000-00000000000a"
PAPER_B = "00000000-0000-4000-8000-00000000000b"


def make_release_1_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(RELEASE_1_SCHEMA)
    con.execute(
        "INSERT INTO papers VALUES (?, 'Old one', 'Curie, Marie; Einstein, Albert', 'Done', '[\"physics\"]', "
        "'2019-05-01T10:00:00')",
        (PAPER_A,),
    )
    con.execute(
        "INSERT INTO papers VALUES (?, 'Unread', NULL, 'queued', 'not json', '2019-06-01T10:00:00')", (PAPER_B,)
    )
    con.execute(
        "INSERT INTO notes VALUES ('00000000-0000-4000-8000-0000000000f1', ?, 'radioactivity', "
        "'2019-05-02T10:00:00')",
        (PAPER_A,),
    )
    con.execute(
        "INSERT INTO highlights VALUES ('00000000-0000-4000-8000-0000000000f2', ?, 'quote', 3, '2019-05-02T10:00:00')",
        (PAPER_A,),
    )
    con.execute(
        "INSERT INTO reading_sessions VALUES ('00000000-0000-4000-8000-0000000000f3', ?, '2019-05-02T10:00:00', 30)",
        (PAPER_A,),
    )
    con.commit()
    con.close()


async def test_a_release_1_database_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_release_1_database(path)
    db = PaperDatabase(path)
    await db.initialize()

    old = await db.get_paper(__import__("uuid").UUID(PAPER_A))
    assert old is not None
    assert old.status is ReadingStatus.READ
    assert old.authors == ["Curie, Marie", "Einstein, Albert"]
    assert old.tags == ["physics"]
    assert old.priority == 3 and old.pages_read == 0
    assert old.added_at.tzinfo is not None
    unread = await db.get_paper(__import__("uuid").UUID(PAPER_B))
    assert unread is not None and unread.status is ReadingStatus.TO_READ and unread.tags == []

    notes = await db.list_notes(old.id)
    assert [(n.body, n.kind, n.pinned) for n in notes] == [("radioactivity", NoteKind.SUMMARY, False)]
    assert [h.color for h in await db.list_highlights(old.id)] == ["yellow"]
    assert [s.pages_to for s in await db.list_sessions(old.id)] == [None]
    assert await db.integrity_check() == []
    await db.close()


async def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_release_1_database(path)
    for _ in range(2):
        db = PaperDatabase(path)
        await db.initialize()
        snapshot = await db.export_snapshot()
        await db.close()
    con = sqlite3.connect(path)
    columns = [row[1] for row in con.execute("PRAGMA table_info(papers)")]
    assert len(columns) == len(set(columns))
    assert con.execute("SELECT count(*) FROM paper_authors").fetchone()[0] == 2
    con.close()
    assert len(snapshot["papers"]) == 2


async def test_a_database_from_before_collections_opens(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE papers (id TEXT PRIMARY KEY, title TEXT NOT NULL, added_at TEXT NOT NULL)")
    con.execute("CREATE TABLE authors (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)")
    con.commit()
    con.close()
    db = PaperDatabase(path)
    await db.initialize()
    assert (await db.stats())["collections"] == 0
    assert await db.list_authors() == []
    await db.close()
