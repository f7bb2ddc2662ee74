"""SQLite persistence of the reading log (aiosqlite).

One file holds everything a reader collects. Users upgrade from any earlier release, so the schema
history below is kept as migrations that run on every start:

    1.0  papers (title, authors as text, state), notes
    1.1  papers.doi, papers.url, papers.year; notes.page
    1.2  highlights; collections, collection_items
    1.3  papers.abstract; highlights.color
    1.4  reading_sessions; papers.pages, papers.pages_read
    1.5  authors, paper_authors (the authors text column is split into rows)
    2.0  papers.status replaces papers.state; papers.priority; notes.kind
    2.1  papers.rating, papers.finished_at; notes.pinned, notes.updated_at
    2.2  paper_tags replaces the tags JSON column; collections.archived, collections.description
    2.3  citations; authors.affiliation, authors.orcid; reading_sessions.pages_from/pages_to
    2.4  papers.updated_at; meta (schema version, last vacuum)

Migrations run before the tables are created: a table that exists is an old one and is brought up to
date; a missing one is created below in its current shape. Every step looks at the live schema
first, so running them twice changes nothing.
"""

import json
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosqlite

from papertrail.config import DEFAULT_DB_PATH
from papertrail.domain.models import (
    Author,
    Citation,
    Collection,
    Highlight,
    Note,
    NoteKind,
    Paper,
    ReadingSession,
    ReadingStatus,
    Tag,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 24

# 1.x stored a free-form state; 2.0 maps it onto ReadingStatus.
_LEGACY_STATES = {
    "new": ReadingStatus.TO_READ.value,
    "queued": ReadingStatus.TO_READ.value,
    "open": ReadingStatus.READING.value,
    "in progress": ReadingStatus.READING.value,
    "done": ReadingStatus.READ.value,
    "finished": ReadingStatus.READ.value,
    "dropped": ReadingStatus.ABANDONED.value,
}

_PAPER_ORDERS = {
    "added": "p.added_at DESC",
    "priority": "p.priority DESC, p.added_at",
    "title": "p.title COLLATE NOCASE",
    "year": "p.year DESC, p.title COLLATE NOCASE",
}


class DatabaseError(Exception):
    """Raised when the database is used before initialize() or a statement fails."""


class NotFoundError(DatabaseError):
    """Raised when a row that must exist does not."""


def _to_iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_datetime(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(value)
    # Releases before 2.0 stored naive UTC times.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _placeholders(count: int) -> str:
    return ", ".join("?" for _ in range(count))


class PaperDatabase:
    """Owns the SQLite connection of the reading log, its schema and its migrations."""

    def __init__(self, db_path: Path = DEFAULT_DB_PATH) -> None:
        self.db_path = db_path
        self._conn: aiosqlite.Connection | None = None

    # ------------------------------------------------------------------ lifecycle

    async def initialize(self) -> None:
        """Open the database file (creating its folder), upgrade an old schema, create what is missing."""
        if str(self.db_path) != ":memory:":
            Path(self.db_path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(str(self.db_path))
        self._conn.row_factory = aiosqlite.Row
        await self._conn.execute("PRAGMA foreign_keys = ON")
        # Older databases are brought up to date before the tables are (re)created.
        await self._run_migrations(self._conn)
        await self._create_tables(self._conn)
        await self._create_indexes(self._conn)
        await self._set_meta(self._conn, "schema_version", str(SCHEMA_VERSION))
        await self._conn.commit()
        logger.debug("database ready at %s (schema %d)", self.db_path, SCHEMA_VERSION)

    async def close(self) -> None:
        """Close the connection (safe to call twice)."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def connection(self) -> aiosqlite.Connection:
        """The open connection; raises DatabaseError before initialize()."""
        if self._conn is None:
            raise DatabaseError("database not initialized: call initialize() first")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Commit what the block did, or roll all of it back if it raised."""
        conn = self.connection
        try:
            yield conn
        except BaseException:
            await conn.rollback()
            raise
        else:
            await conn.commit()

    # ------------------------------------------------------------------ schema

    async def _table_exists(self, conn: aiosqlite.Connection, table: str) -> bool:
        cursor = await conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        return await cursor.fetchone() is not None

    async def _columns(self, conn: aiosqlite.Connection, table: str) -> list[str]:
        cursor = await conn.execute(f"PRAGMA table_info({table})")
        return [row["name"] for row in await cursor.fetchall()]

    async def _create_tables(self, conn: aiosqlite.Connection) -> None:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS papers (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                doi TEXT,
                url TEXT,
                year INTEGER,
                abstract TEXT,
                status TEXT NOT NULL DEFAULT 'to_read',
                priority INTEGER NOT NULL DEFAULT 3,
                rating INTEGER,
                pages INTEGER,
                pages_read INTEGER NOT NULL DEFAULT 0,
                added_at TEXT NOT NULL,
                updated_at TEXT,
                finished_at TEXT
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS authors (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                affiliation TEXT,
                orcid TEXT,
                created_at TEXT NOT NULL
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS paper_authors (
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                author_id TEXT NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                PRIMARY KEY (paper_id, author_id)
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS paper_tags (
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                tag TEXT NOT NULL COLLATE NOCASE,
                PRIMARY KEY (paper_id, tag)
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS notes (
                id TEXT PRIMARY KEY,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                kind TEXT NOT NULL DEFAULT 'summary',
                body TEXT NOT NULL,
                page INTEGER,
                pinned INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS highlights (
                id TEXT PRIMARY KEY,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                quote TEXT NOT NULL,
                page INTEGER,
                color TEXT NOT NULL DEFAULT 'yellow',
                created_at TEXT NOT NULL
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS collections (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                description TEXT,
                archived INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS collection_items (
                collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                added_at TEXT NOT NULL,
                PRIMARY KEY (collection_id, paper_id)
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS reading_sessions (
                id TEXT PRIMARY KEY,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                started_at TEXT NOT NULL,
                minutes INTEGER NOT NULL,
                pages_from INTEGER,
                pages_to INTEGER
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS citations (
                citing_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                cited_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                context TEXT,
                PRIMARY KEY (citing_id, cited_id)
            )
            """
        )

        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """
        )

    async def _create_indexes(self, conn: aiosqlite.Connection) -> None:
        await conn.execute("CREATE INDEX IF NOT EXISTS idx_papers_status ON papers(status, priority DESC)")
        await conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_papers_doi ON papers(doi) WHERE doi IS NOT NULL")
        await conn.execute("CREATE INDEX IF NOT EXISTS idx_notes_paper ON notes(paper_id, created_at)")
        await conn.execute("CREATE INDEX IF NOT EXISTS idx_highlights_paper ON highlights(paper_id)")
        await conn.execute("CREATE INDEX IF NOT EXISTS idx_sessions_paper ON reading_sessions(paper_id, started_at)")
        await conn.execute("CREATE INDEX IF NOT EXISTS idx_paper_tags_tag ON paper_tags(tag)")
        await conn.execute("CREATE INDEX IF NOT EXISTS idx_citations_cited ON citations(cited_id)")

    async def _run_migrations(self, conn: aiosqlite.Connection) -> None:
        """Bring every table of an older release up to the current schema (see the module docstring).

        Runs before _create_tables: each block is guarded by its table's existence, since a fresh
        database has no tables yet and gets them in their current shape right after.
        """
        if await self._table_exists(conn, "papers"):
            columns = await self._columns(conn, "papers")

            if "doi" not in columns:
                logger.info("migrating papers: adding doi")
                await conn.execute("ALTER TABLE papers ADD COLUMN doi TEXT")
                await conn.commit()

            if "url" not in columns:
                logger.info("migrating papers: adding url")
                await conn.execute("ALTER TABLE papers ADD COLUMN url TEXT")
                await conn.commit()

            if "year" not in columns:
                logger.info("migrating papers: adding year")
                await conn.execute("ALTER TABLE papers ADD COLUMN year INTEGER")
                await conn.commit()

            if "abstract" not in columns:
                logger.info("migrating papers: adding abstract")
                await conn.execute("ALTER TABLE papers ADD COLUMN abstract TEXT")
                await conn.commit()

            if "pages" not in columns:
                logger.info("migrating papers: adding pages")
                await conn.execute("ALTER TABLE papers ADD COLUMN pages INTEGER")
                await conn.commit()

            if "pages_read" not in columns:
                logger.info("migrating papers: adding pages_read")
                await conn.execute("ALTER TABLE papers ADD COLUMN pages_read INTEGER NOT NULL DEFAULT 0")
                await conn.commit()

            if "status" not in columns:
                # 2.0: the free-form 1.x state becomes a ReadingStatus value.
                logger.info("migrating papers: adding status (from the 1.x state)")
                await conn.execute("ALTER TABLE papers ADD COLUMN status TEXT NOT NULL DEFAULT 'to_read'")
                if "state" in columns:
                    for legacy, status in _LEGACY_STATES.items():
                        await conn.execute(
                            "UPDATE papers SET status = ? WHERE lower(trim(state)) = ?", (status, legacy)
                        )
                await conn.commit()

            if "priority" not in columns:
                logger.info("migrating papers: adding priority")
                await conn.execute("ALTER TABLE papers ADD COLUMN priority INTEGER NOT NULL DEFAULT 3")
                await conn.commit()

            if "rating" not in columns:
                logger.info("migrating papers: adding rating")
                await conn.execute("ALTER TABLE papers ADD COLUMN rating INTEGER")
                await conn.commit()

            if "finished_at" not in columns:
                logger.info("migrating papers: adding finished_at")
                await conn.execute("ALTER TABLE papers ADD COLUMN finished_at TEXT")
                await conn.commit()

            if "updated_at" not in columns:
                logger.info("migrating papers: adding updated_at")
                await conn.execute("ALTER TABLE papers ADD COLUMN updated_at TEXT")
                await conn.commit()

            if "authors" in columns and not await self._table_exists(conn, "paper_authors"):
                # 1.5: the "Last, First; Last, First" text column becomes author rows.
                await self._split_legacy_authors(conn)

            if "tags" in columns and not await self._table_exists(conn, "paper_tags"):
                # 2.2: the tags JSON column becomes paper_tags rows (the column stays: SQLite before
                # 3.35 cannot drop it, and 2.1 clients still read it).
                await self._move_legacy_tags(conn)

        if await self._table_exists(conn, "notes"):
            columns = await self._columns(conn, "notes")

            if "page" not in columns:
                logger.info("migrating notes: adding page")
                await conn.execute("ALTER TABLE notes ADD COLUMN page INTEGER")
                await conn.commit()

            if "kind" not in columns:
                logger.info("migrating notes: adding kind")
                await conn.execute("ALTER TABLE notes ADD COLUMN kind TEXT NOT NULL DEFAULT 'summary'")
                await conn.commit()

            if "pinned" not in columns:
                logger.info("migrating notes: adding pinned")
                await conn.execute("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")
                await conn.commit()

            if "updated_at" not in columns:
                logger.info("migrating notes: adding updated_at")
                await conn.execute("ALTER TABLE notes ADD COLUMN updated_at TEXT")
                await conn.commit()

        if await self._table_exists(conn, "highlights"):
            columns = await self._columns(conn, "highlights")

            if "color" not in columns:
                logger.info("migrating highlights: adding color")
                await conn.execute("ALTER TABLE highlights ADD COLUMN color TEXT NOT NULL DEFAULT 'yellow'")
                await conn.commit()

        if await self._table_exists(conn, "collections"):
            columns = await self._columns(conn, "collections")

            if "description" not in columns:
                logger.info("migrating collections: adding description")
                await conn.execute("ALTER TABLE collections ADD COLUMN description TEXT")
                await conn.commit()

            if "archived" not in columns:
                logger.info("migrating collections: adding archived")
                await conn.execute("ALTER TABLE collections ADD COLUMN archived INTEGER NOT NULL DEFAULT 0")
                await conn.commit()

        if await self._table_exists(conn, "reading_sessions"):
            columns = await self._columns(conn, "reading_sessions")

            if "pages_from" not in columns:
                logger.info("migrating reading_sessions: adding pages_from")
                await conn.execute("ALTER TABLE reading_sessions ADD COLUMN pages_from INTEGER")
                await conn.commit()

            if "pages_to" not in columns:
                logger.info("migrating reading_sessions: adding pages_to")
                await conn.execute("ALTER TABLE reading_sessions ADD COLUMN pages_to INTEGER")
                await conn.commit()

        if await self._table_exists(conn, "authors"):
            columns = await self._columns(conn, "authors")

            if "affiliation" not in columns:
                logger.info("migrating authors: adding affiliation")
                await conn.execute("ALTER TABLE authors ADD COLUMN affiliation TEXT")
                await conn.commit()

            if "orcid" not in columns:
                logger.info("migrating authors: adding orcid")
                await conn.execute("ALTER TABLE authors ADD COLUMN orcid TEXT")
                await conn.commit()

    async def _split_legacy_authors(self, conn: aiosqlite.Connection) -> None:
        """1.5: split papers.authors ("Curie, Marie; Einstein, Albert") into authors/paper_authors."""
        logger.info("migrating papers: splitting the authors column into author rows")
        await conn.execute(
            """
            CREATE TABLE authors (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at TEXT NOT NULL
            )
            """
        )
        await conn.execute(
            """
            CREATE TABLE paper_authors (
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                author_id TEXT NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                PRIMARY KEY (paper_id, author_id)
            )
            """
        )
        cursor = await conn.execute("SELECT id, authors, added_at FROM papers WHERE authors IS NOT NULL")
        for row in await cursor.fetchall():
            names = [name.strip() for name in str(row["authors"]).split(";") if name.strip()]
            for position, name in enumerate(names):
                author_id = await self._author_id(conn, name, created_at=row["added_at"])
                await conn.execute(
                    "INSERT OR IGNORE INTO paper_authors (paper_id, author_id, position) VALUES (?, ?, ?)",
                    (row["id"], author_id, position),
                )
        await conn.commit()

    async def _move_legacy_tags(self, conn: aiosqlite.Connection) -> None:
        """2.2: copy the tags JSON column into paper_tags rows."""
        logger.info("migrating papers: moving tags into paper_tags")
        await conn.execute(
            """
            CREATE TABLE paper_tags (
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                tag TEXT NOT NULL COLLATE NOCASE,
                PRIMARY KEY (paper_id, tag)
            )
            """
        )
        cursor = await conn.execute("SELECT id, tags FROM papers")
        moved = 0
        for row in await cursor.fetchall():
            try:
                tags = json.loads(row["tags"] or "[]")
            except json.JSONDecodeError:
                logger.warning("paper %s: unreadable tags %r left behind", row["id"], row["tags"])
                continue
            for tag in tags:
                await conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag) VALUES (?, ?)", (row["id"], str(tag))
                )
                moved += 1
        await conn.commit()
        logger.info("moved %d tags", moved)

    # ------------------------------------------------------------------ meta

    async def _set_meta(self, conn: aiosqlite.Connection, key: str, value: str) -> None:
        await conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def get_meta(self, key: str) -> str | None:
        """A value of the meta table (schema_version, last_vacuum, ...)."""
        cursor = await self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,))
        row = await cursor.fetchone()
        return str(row["value"]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Store a value in the meta table."""
        await self._set_meta(self.connection, key, value)
        await self.connection.commit()

    async def schema_version(self) -> int:
        """The schema version recorded by initialize()."""
        value = await self.get_meta("schema_version")
        return int(value) if value is not None else 0

    # ------------------------------------------------------------------ papers

    async def insert_paper(self, paper: Paper) -> None:
        """Insert a paper with its authors and tags; raises DatabaseError on a duplicate DOI."""
        try:
            async with self.transaction() as conn:
                await conn.execute(
                    """
                    INSERT INTO papers (
                        id, title, doi, url, year, abstract, status, priority, rating,
                        pages, pages_read, added_at, updated_at, finished_at
                    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    (
                        str(paper.id),
                        paper.title,
                        paper.doi,
                        paper.url,
                        paper.year,
                        paper.abstract,
                        paper.status.value,
                        paper.priority,
                        paper.rating,
                        paper.pages,
                        paper.pages_read,
                        paper.added_at.isoformat(),
                        _to_iso(paper.updated_at),
                        _to_iso(paper.finished_at),
                    ),
                )
                await self._write_authors(conn, paper.id, paper.authors)
                await self._write_tags(conn, paper.id, paper.tags)
        except aiosqlite.IntegrityError as exc:
            raise DatabaseError(f"cannot add paper {paper.title!r}: {exc}") from exc

    async def _author_id(self, conn: aiosqlite.Connection, name: str, created_at: str | None = None) -> str:
        cursor = await conn.execute("SELECT id FROM authors WHERE name = ?", (name,))
        row = await cursor.fetchone()
        if row:
            return str(row["id"])
        author = Author(name=name)
        await conn.execute(
            "INSERT INTO authors (id, name, created_at) VALUES (?, ?, ?)",
            (str(author.id), author.name, created_at or author.created_at.isoformat()),
        )
        return str(author.id)

    async def _write_authors(self, conn: aiosqlite.Connection, paper_id: UUID, names: Sequence[str]) -> None:
        await conn.execute("DELETE FROM paper_authors WHERE paper_id = ?", (str(paper_id),))
        for position, name in enumerate(names):
            author_id = await self._author_id(conn, name)
            await conn.execute(
                "INSERT OR IGNORE INTO paper_authors (paper_id, author_id, position) VALUES (?, ?, ?)",
                (str(paper_id), author_id, position),
            )

    async def _write_tags(self, conn: aiosqlite.Connection, paper_id: UUID, tags: Iterable[str]) -> None:
        await conn.execute("DELETE FROM paper_tags WHERE paper_id = ?", (str(paper_id),))
        for tag in tags:
            await conn.execute(
                "INSERT OR IGNORE INTO paper_tags (paper_id, tag) VALUES (?, ?)", (str(paper_id), tag.strip())
            )

    async def _authors_of(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {paper_id: [] for paper_id in paper_ids}
        if not paper_ids:
            return found
        cursor = await self.connection.execute(
            f"""
            SELECT pa.paper_id, a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id
            WHERE pa.paper_id IN ({_placeholders(len(paper_ids))})
            ORDER BY pa.paper_id, pa.position
            """,
            tuple(paper_ids),
        )
        for row in await cursor.fetchall():
            found[row["paper_id"]].append(row["name"])
        return found

    async def _tags_of(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {paper_id: [] for paper_id in paper_ids}
        if not paper_ids:
            return found
        cursor = await self.connection.execute(
            f"SELECT paper_id, tag FROM paper_tags WHERE paper_id IN ({_placeholders(len(paper_ids))}) ORDER BY tag",
            tuple(paper_ids),
        )
        for row in await cursor.fetchall():
            found[row["paper_id"]].append(row["tag"])
        return found

    def _row_to_paper(self, row: aiosqlite.Row, authors: list[str], tags: list[str]) -> Paper:
        row_dict = dict(row)
        return Paper(
            id=UUID(row["id"]),
            title=row["title"],
            doi=row["doi"],
            url=row["url"],
            year=row["year"],
            abstract=row["abstract"],
            authors=authors,
            status=ReadingStatus(row["status"]),
            priority=row["priority"],
            rating=row["rating"],
            pages=row["pages"],
            pages_read=row["pages_read"],
            tags=tags,
            added_at=_parse_datetime(row["added_at"]),
            updated_at=_parse_datetime(row_dict.get("updated_at")),
            finished_at=_parse_datetime(row_dict.get("finished_at")),
        )

    async def _papers_from_rows(self, rows: Sequence[aiosqlite.Row]) -> list[Paper]:
        ids = [row["id"] for row in rows]
        authors = await self._authors_of(ids)
        tags = await self._tags_of(ids)
        return [self._row_to_paper(row, authors[row["id"]], tags[row["id"]]) for row in rows]

    async def get_paper(self, paper_id: UUID) -> Paper | None:
        """One paper by id, or None."""
        cursor = await self.connection.execute("SELECT * FROM papers WHERE id = ?", (str(paper_id),))
        row = await cursor.fetchone()
        if row is None:
            return None
        return (await self._papers_from_rows([row]))[0]

    async def find_paper_by_doi(self, doi: str) -> Paper | None:
        """The paper with this DOI (case-insensitive), or None."""
        cursor = await self.connection.execute(
            "SELECT * FROM papers WHERE lower(doi) = lower(?)", (doi.strip(),)
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        return (await self._papers_from_rows([row]))[0]

    async def list_papers(
        self,
        status: ReadingStatus | None = None,
        tag: str | None = None,
        collection_id: UUID | None = None,
        order: str = "added",
        limit: int = 50,
        offset: int = 0,
    ) -> list[Paper]:
        """Papers matching every filter given, in `order` (added, priority, title, year)."""
        if order not in _PAPER_ORDERS:
            raise DatabaseError(f"unknown order {order!r}: one of {', '.join(_PAPER_ORDERS)}")
        clauses: list[str] = []
        params: list[Any] = []
        joins = ""
        if status is not None:
            clauses.append("p.status = ?")
            params.append(status.value)
        if tag is not None:
            joins += " JOIN paper_tags t ON t.paper_id = p.id"
            clauses.append("t.tag = ?")
            params.append(tag)
        if collection_id is not None:
            joins += " JOIN collection_items ci ON ci.paper_id = p.id"
            clauses.append("ci.collection_id = ?")
            params.append(str(collection_id))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor = await self.connection.execute(
            f"SELECT p.* FROM papers p{joins} {where} ORDER BY {_PAPER_ORDERS[order]} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return await self._papers_from_rows(list(await cursor.fetchall()))

    async def search_papers(self, query: str, limit: int = 20) -> list[Paper]:
        """Papers whose title, abstract, author or notes contain every word of `query`."""
        words = [word for word in query.split() if word]
        if not words:
            return []
        clauses = []
        params: list[Any] = []
        for word in words:
            pattern = f"%{word}%"
            clauses.append(
                """
                (p.title LIKE ? OR p.abstract LIKE ?
                 OR EXISTS (SELECT 1 FROM paper_authors pa JOIN authors a ON a.id = pa.author_id
                            WHERE pa.paper_id = p.id AND a.name LIKE ?)
                 OR EXISTS (SELECT 1 FROM notes n WHERE n.paper_id = p.id AND n.body LIKE ?))
                """
            )
            params += [pattern, pattern, pattern, pattern]
        cursor = await self.connection.execute(
            f"SELECT p.* FROM papers p WHERE {' AND '.join(clauses)} ORDER BY p.priority DESC, p.title LIMIT ?",
            (*params, limit),
        )
        return await self._papers_from_rows(list(await cursor.fetchall()))

    async def update_paper_status(self, paper_id: UUID, status: ReadingStatus, at: datetime) -> None:
        """Move a paper to `status`; reading it to the end sets finished_at."""
        finished = at.isoformat() if status is ReadingStatus.READ else None
        cursor = await self.connection.execute(
            """
            UPDATE papers SET status = ?, updated_at = ?,
                finished_at = CASE WHEN ? IS NOT NULL THEN ? ELSE finished_at END
            WHERE id = ?
            """,
            (status.value, at.isoformat(), finished, finished, str(paper_id)),
        )
        await self._require_one(cursor, "paper", paper_id)

    async def update_paper_progress(self, paper_id: UUID, pages_read: int, at: datetime) -> None:
        """Record how far the reader got."""
        cursor = await self.connection.execute(
            "UPDATE papers SET pages_read = ?, updated_at = ? WHERE id = ?",
            (pages_read, at.isoformat(), str(paper_id)),
        )
        await self._require_one(cursor, "paper", paper_id)

    async def rate_paper(self, paper_id: UUID, rating: int, at: datetime) -> None:
        """Give a paper 1 to 5 stars."""
        cursor = await self.connection.execute(
            "UPDATE papers SET rating = ?, updated_at = ? WHERE id = ?", (rating, at.isoformat(), str(paper_id))
        )
        await self._require_one(cursor, "paper", paper_id)

    async def set_paper_priority(self, paper_id: UUID, priority: int, at: datetime) -> None:
        """Move a paper up or down the queue."""
        cursor = await self.connection.execute(
            "UPDATE papers SET priority = ?, updated_at = ? WHERE id = ?",
            (priority, at.isoformat(), str(paper_id)),
        )
        await self._require_one(cursor, "paper", paper_id)

    async def set_paper_tags(self, paper_id: UUID, tags: Sequence[str], at: datetime) -> None:
        """Replace the tags of a paper."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE papers SET updated_at = ? WHERE id = ?", (at.isoformat(), str(paper_id))
            )
            if cursor.rowcount != 1:
                raise NotFoundError(f"paper {paper_id} not found")
            await self._write_tags(conn, paper_id, tags)

    async def delete_paper(self, paper_id: UUID) -> bool:
        """Delete a paper and everything attached to it; False when there was none."""
        cursor = await self.connection.execute("DELETE FROM papers WHERE id = ?", (str(paper_id),))
        await self.connection.commit()
        return cursor.rowcount == 1

    async def count_papers_by_status(self) -> dict[ReadingStatus, int]:
        """How many papers are in each status (every status present, zero included)."""
        counts = {status: 0 for status in ReadingStatus}
        cursor = await self.connection.execute("SELECT status, count(*) AS n FROM papers GROUP BY status")
        for row in await cursor.fetchall():
            counts[ReadingStatus(row["status"])] = row["n"]
        return counts

    async def _require_one(self, cursor: aiosqlite.Cursor, what: str, key: object) -> None:
        await self.connection.commit()
        if cursor.rowcount != 1:
            raise NotFoundError(f"{what} {key} not found")

    # ------------------------------------------------------------------ authors

    def _row_to_author(self, row: aiosqlite.Row) -> Author:
        row_dict = dict(row)
        return Author(
            id=UUID(row["id"]),
            name=row["name"],
            affiliation=row_dict.get("affiliation"),
            orcid=row_dict.get("orcid"),
            created_at=_parse_datetime(row["created_at"]),
        )

    async def get_author(self, name: str) -> Author | None:
        """An author by name (case-insensitive), or None."""
        cursor = await self.connection.execute("SELECT * FROM authors WHERE name = ?", (name,))
        row = await cursor.fetchone()
        return self._row_to_author(row) if row else None

    async def update_author(self, name: str, affiliation: str | None, orcid: str | None) -> Author:
        """Set an author's affiliation and ORCID iD."""
        cursor = await self.connection.execute(
            "UPDATE authors SET affiliation = ?, orcid = ? WHERE name = ?", (affiliation, orcid, name)
        )
        await self._require_one(cursor, "author", name)
        author = await self.get_author(name)
        assert author is not None
        return author

    async def list_authors(self, limit: int = 100) -> list[tuple[Author, int]]:
        """Authors with how many papers of the log they wrote, most prolific first."""
        cursor = await self.connection.execute(
            """
            SELECT a.*, count(pa.paper_id) AS papers FROM authors a
            LEFT JOIN paper_authors pa ON pa.author_id = a.id
            GROUP BY a.id ORDER BY papers DESC, a.name COLLATE NOCASE LIMIT ?
            """,
            (limit,),
        )
        return [(self._row_to_author(row), row["papers"]) for row in await cursor.fetchall()]

    async def papers_by_author(self, name: str) -> list[Paper]:
        """The papers an author wrote, newest first."""
        cursor = await self.connection.execute(
            """
            SELECT p.* FROM papers p
            JOIN paper_authors pa ON pa.paper_id = p.id JOIN authors a ON a.id = pa.author_id
            WHERE a.name = ? ORDER BY p.year DESC, p.title
            """,
            (name,),
        )
        return await self._papers_from_rows(list(await cursor.fetchall()))

    async def delete_orphan_authors(self) -> int:
        """Remove authors left without papers; returns how many."""
        cursor = await self.connection.execute(
            "DELETE FROM authors WHERE id NOT IN (SELECT author_id FROM paper_authors)"
        )
        await self.connection.commit()
        return cursor.rowcount

    # ------------------------------------------------------------------ tags

    async def list_tags(self) -> list[Tag]:
        """Every tag with its number of papers, most used first."""
        cursor = await self.connection.execute(
            "SELECT tag, count(*) AS n FROM paper_tags GROUP BY tag ORDER BY n DESC, tag"
        )
        return [Tag(name=row["tag"], papers=row["n"]) for row in await cursor.fetchall()]

    async def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag on every paper (merging into `new` where both exist); returns papers touched."""
        async with self.transaction() as conn:
            await conn.execute(
                """
                DELETE FROM paper_tags WHERE tag = ?
                AND paper_id IN (SELECT paper_id FROM paper_tags WHERE tag = ?)
                """,
                (old, new),
            )
            cursor = await conn.execute("UPDATE paper_tags SET tag = ? WHERE tag = ?", (new, old))
            return cursor.rowcount

    # ------------------------------------------------------------------ notes

    async def insert_note(self, note: Note) -> None:
        """Attach a note to its paper."""
        try:
            await self.connection.execute(
                """
                INSERT INTO notes (id, paper_id, kind, body, page, pinned, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    str(note.id),
                    str(note.paper_id),
                    note.kind.value,
                    note.body,
                    note.page,
                    int(note.pinned),
                    note.created_at.isoformat(),
                    _to_iso(note.updated_at),
                ),
            )
            await self.connection.commit()
        except aiosqlite.IntegrityError as exc:
            raise NotFoundError(f"paper {note.paper_id} not found") from exc

    def _row_to_note(self, row: aiosqlite.Row) -> Note:
        return Note(
            id=UUID(row["id"]),
            paper_id=UUID(row["paper_id"]),
            kind=NoteKind(row["kind"]),
            body=row["body"],
            page=row["page"],
            pinned=bool(row["pinned"]),
            created_at=_parse_datetime(row["created_at"]),
            updated_at=_parse_datetime(row["updated_at"]),
        )

    async def get_note(self, note_id: UUID) -> Note | None:
        """One note by id, or None."""
        cursor = await self.connection.execute("SELECT * FROM notes WHERE id = ?", (str(note_id),))
        row = await cursor.fetchone()
        return self._row_to_note(row) if row else None

    async def list_notes(self, paper_id: UUID, kind: NoteKind | None = None) -> list[Note]:
        """The notes of a paper, pinned first, then oldest first."""
        query = "SELECT * FROM notes WHERE paper_id = ?"
        params: list[Any] = [str(paper_id)]
        if kind is not None:
            query += " AND kind = ?"
            params.append(kind.value)
        cursor = await self.connection.execute(f"{query} ORDER BY pinned DESC, created_at", params)
        return [self._row_to_note(row) for row in await cursor.fetchall()]

    async def update_note(self, note_id: UUID, body: str, at: datetime) -> None:
        """Replace the text of a note."""
        cursor = await self.connection.execute(
            "UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", (body, at.isoformat(), str(note_id))
        )
        await self._require_one(cursor, "note", note_id)

    async def pin_note(self, note_id: UUID, pinned: bool) -> None:
        """Pin a note to the top of its paper's notes, or unpin it."""
        cursor = await self.connection.execute(
            "UPDATE notes SET pinned = ? WHERE id = ?", (int(pinned), str(note_id))
        )
        await self._require_one(cursor, "note", note_id)

    async def delete_note(self, note_id: UUID) -> bool:
        """Delete a note; False when there was none."""
        cursor = await self.connection.execute("DELETE FROM notes WHERE id = ?", (str(note_id),))
        await self.connection.commit()
        return cursor.rowcount == 1

    # ------------------------------------------------------------------ highlights

    async def insert_highlight(self, highlight: Highlight) -> None:
        """Store a highlighted passage."""
        try:
            await self.connection.execute(
                "INSERT INTO highlights (id, paper_id, quote, page, color, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    str(highlight.id),
                    str(highlight.paper_id),
                    highlight.quote,
                    highlight.page,
                    highlight.color,
                    highlight.created_at.isoformat(),
                ),
            )
            await self.connection.commit()
        except aiosqlite.IntegrityError as exc:
            raise NotFoundError(f"paper {highlight.paper_id} not found") from exc

    def _row_to_highlight(self, row: aiosqlite.Row) -> Highlight:
        return Highlight(
            id=UUID(row["id"]),
            paper_id=UUID(row["paper_id"]),
            quote=row["quote"],
            page=row["page"],
            color=row["color"],
            created_at=_parse_datetime(row["created_at"]),
        )

    async def list_highlights(self, paper_id: UUID) -> list[Highlight]:
        """The highlights of a paper in page order (unpaged last)."""
        cursor = await self.connection.execute(
            "SELECT * FROM highlights WHERE paper_id = ? ORDER BY page IS NULL, page, created_at",
            (str(paper_id),),
        )
        return [self._row_to_highlight(row) for row in await cursor.fetchall()]

    async def delete_highlight(self, highlight_id: UUID) -> bool:
        """Delete a highlight; False when there was none."""
        cursor = await self.connection.execute("DELETE FROM highlights WHERE id = ?", (str(highlight_id),))
        await self.connection.commit()
        return cursor.rowcount == 1

    # ------------------------------------------------------------------ collections

    async def insert_collection(self, collection: Collection) -> None:
        """Create a reading list; raises DatabaseError when the name is taken."""
        try:
            await self.connection.execute(
                "INSERT INTO collections (id, name, description, archived, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    str(collection.id),
                    collection.name,
                    collection.description,
                    int(collection.archived),
                    collection.created_at.isoformat(),
                ),
            )
            await self.connection.commit()
        except aiosqlite.IntegrityError as exc:
            raise DatabaseError(f"a collection named {collection.name!r} exists already") from exc

    def _row_to_collection(self, row: aiosqlite.Row) -> Collection:
        return Collection(
            id=UUID(row["id"]),
            name=row["name"],
            description=row["description"],
            archived=bool(row["archived"]),
            created_at=_parse_datetime(row["created_at"]),
        )

    async def get_collection(self, name: str) -> Collection | None:
        """A collection by name (case-insensitive), or None."""
        cursor = await self.connection.execute("SELECT * FROM collections WHERE name = ?", (name,))
        row = await cursor.fetchone()
        return self._row_to_collection(row) if row else None

    async def list_collections(self, include_archived: bool = False) -> list[tuple[Collection, int]]:
        """Collections with their number of papers, by name."""
        where = "" if include_archived else "WHERE c.archived = 0"
        cursor = await self.connection.execute(
            f"""
            SELECT c.*, count(ci.paper_id) AS papers FROM collections c
            LEFT JOIN collection_items ci ON ci.collection_id = c.id
            {where} GROUP BY c.id ORDER BY c.name COLLATE NOCASE
            """
        )
        return [(self._row_to_collection(row), row["papers"]) for row in await cursor.fetchall()]

    async def add_to_collection(self, collection_id: UUID, paper_id: UUID, at: datetime) -> int:
        """Append a paper to a collection (no-op if it is there); returns its position."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "SELECT position FROM collection_items WHERE collection_id = ? AND paper_id = ?",
                (str(collection_id), str(paper_id)),
            )
            existing = await cursor.fetchone()
            if existing:
                return int(existing["position"])
            cursor = await conn.execute(
                "SELECT coalesce(max(position), -1) + 1 AS next FROM collection_items WHERE collection_id = ?",
                (str(collection_id),),
            )
            row = await cursor.fetchone()
            position = int(row["next"]) if row else 0
            try:
                await conn.execute(
                    "INSERT INTO collection_items (collection_id, paper_id, position, added_at) VALUES (?, ?, ?, ?)",
                    (str(collection_id), str(paper_id), position, at.isoformat()),
                )
            except aiosqlite.IntegrityError as exc:
                raise NotFoundError(f"collection {collection_id} or paper {paper_id} not found") from exc
            return position

    async def remove_from_collection(self, collection_id: UUID, paper_id: UUID) -> bool:
        """Take a paper out of a collection, closing the gap in positions."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "SELECT position FROM collection_items WHERE collection_id = ? AND paper_id = ?",
                (str(collection_id), str(paper_id)),
            )
            row = await cursor.fetchone()
            if row is None:
                return False
            await conn.execute(
                "DELETE FROM collection_items WHERE collection_id = ? AND paper_id = ?",
                (str(collection_id), str(paper_id)),
            )
            await conn.execute(
                "UPDATE collection_items SET position = position - 1 WHERE collection_id = ? AND position > ?",
                (str(collection_id), row["position"]),
            )
            return True

    async def collection_papers(self, collection_id: UUID) -> list[Paper]:
        """The papers of a collection in their order."""
        cursor = await self.connection.execute(
            """
            SELECT p.* FROM papers p JOIN collection_items ci ON ci.paper_id = p.id
            WHERE ci.collection_id = ? ORDER BY ci.position
            """,
            (str(collection_id),),
        )
        return await self._papers_from_rows(list(await cursor.fetchall()))

    async def archive_collection(self, collection_id: UUID, archived: bool = True) -> None:
        """Hide a collection from the default listing (or show it again)."""
        cursor = await self.connection.execute(
            "UPDATE collections SET archived = ? WHERE id = ?", (int(archived), str(collection_id))
        )
        await self._require_one(cursor, "collection", collection_id)

    # ------------------------------------------------------------------ reading sessions

    async def insert_session(self, session: ReadingSession) -> None:
        """Record time spent reading."""
        try:
            await self.connection.execute(
                """
                INSERT INTO reading_sessions (id, paper_id, started_at, minutes, pages_from, pages_to)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                (
                    str(session.id),
                    str(session.paper_id),
                    session.started_at.isoformat(),
                    session.minutes,
                    session.pages_from,
                    session.pages_to,
                ),
            )
            await self.connection.commit()
        except aiosqlite.IntegrityError as exc:
            raise NotFoundError(f"paper {session.paper_id} not found") from exc

    def _row_to_session(self, row: aiosqlite.Row) -> ReadingSession:
        started_at = _parse_datetime(row["started_at"])
        assert started_at is not None
        return ReadingSession(
            id=UUID(row["id"]),
            paper_id=UUID(row["paper_id"]),
            started_at=started_at,
            minutes=row["minutes"],
            pages_from=row["pages_from"],
            pages_to=row["pages_to"],
        )

    async def list_sessions(self, paper_id: UUID | None = None, since: datetime | None = None) -> list[ReadingSession]:
        """Reading sessions, newest first, of one paper and/or since a time."""
        clauses: list[str] = []
        params: list[Any] = []
        if paper_id is not None:
            clauses.append("paper_id = ?")
            params.append(str(paper_id))
        if since is not None:
            clauses.append("started_at >= ?")
            params.append(since.isoformat())
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor = await self.connection.execute(
            f"SELECT * FROM reading_sessions {where} ORDER BY started_at DESC", params
        )
        return [self._row_to_session(row) for row in await cursor.fetchall()]

    async def minutes_read(self, since: datetime) -> int:
        """Total minutes of reading since a time."""
        cursor = await self.connection.execute(
            "SELECT coalesce(sum(minutes), 0) AS total FROM reading_sessions WHERE started_at >= ?",
            (since.isoformat(),),
        )
        row = await cursor.fetchone()
        return int(row["total"]) if row else 0

    async def reading_days(self, since: datetime) -> list[str]:
        """The distinct days (YYYY-MM-DD, UTC) with a reading session since a time, newest first."""
        cursor = await self.connection.execute(
            """
            SELECT DISTINCT substr(started_at, 1, 10) AS day FROM reading_sessions
            WHERE started_at >= ? ORDER BY day DESC
            """,
            (since.isoformat(),),
        )
        return [row["day"] for row in await cursor.fetchall()]

    async def last_read_at(self, paper_ids: Sequence[UUID]) -> dict[UUID, datetime]:
        """When each paper was last read (papers never read are absent)."""
        if not paper_ids:
            return {}
        cursor = await self.connection.execute(
            f"""
            SELECT paper_id, max(started_at) AS last FROM reading_sessions
            WHERE paper_id IN ({_placeholders(len(paper_ids))}) GROUP BY paper_id
            """,
            tuple(str(paper_id) for paper_id in paper_ids),
        )
        found: dict[UUID, datetime] = {}
        for row in await cursor.fetchall():
            last = _parse_datetime(row["last"])
            if last is not None:
                found[UUID(row["paper_id"])] = last
        return found

    # ------------------------------------------------------------------ citations

    async def add_citation(self, citation: Citation) -> None:
        """Record that one paper of the log cites another (idempotent)."""
        if citation.citing_id == citation.cited_id:
            raise DatabaseError("a paper cannot cite itself")
        try:
            await self.connection.execute(
                """
                INSERT INTO citations (citing_id, cited_id, context) VALUES (?, ?, ?)
                ON CONFLICT(citing_id, cited_id) DO UPDATE SET context = coalesce(excluded.context, context)
                """,
                (str(citation.citing_id), str(citation.cited_id), citation.context),
            )
            await self.connection.commit()
        except aiosqlite.IntegrityError as exc:
            raise NotFoundError("both papers of a citation must be in the log") from exc

    async def citations_of(self, paper_id: UUID) -> list[Paper]:
        """The papers this paper cites."""
        cursor = await self.connection.execute(
            "SELECT p.* FROM papers p JOIN citations c ON c.cited_id = p.id WHERE c.citing_id = ? ORDER BY p.year",
            (str(paper_id),),
        )
        return await self._papers_from_rows(list(await cursor.fetchall()))

    async def cited_by(self, paper_id: UUID) -> list[Paper]:
        """The papers that cite this paper."""
        cursor = await self.connection.execute(
            "SELECT p.* FROM papers p JOIN citations c ON c.citing_id = p.id WHERE c.cited_id = ? ORDER BY p.year",
            (str(paper_id),),
        )
        return await self._papers_from_rows(list(await cursor.fetchall()))

    async def citation_counts(self) -> dict[UUID, int]:
        """How often each paper is cited within the log."""
        cursor = await self.connection.execute("SELECT cited_id, count(*) AS n FROM citations GROUP BY cited_id")
        return {UUID(row["cited_id"]): row["n"] for row in await cursor.fetchall()}

    # ------------------------------------------------------------------ statistics and maintenance

    async def stats(self) -> dict[str, int]:
        """Row counts of the main tables."""
        counts: dict[str, int] = {}
        for table in ("papers", "authors", "notes", "highlights", "collections", "reading_sessions", "citations"):
            cursor = await self.connection.execute(f"SELECT count(*) AS n FROM {table}")
            row = await cursor.fetchone()
            counts[table] = int(row["n"]) if row else 0
        return counts

    async def integrity_check(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks; empty when the file is sound."""
        problems: list[str] = []
        cursor = await self.connection.execute("PRAGMA integrity_check")
        problems += [row[0] for row in await cursor.fetchall() if row[0] != "ok"]
        cursor = await self.connection.execute("PRAGMA foreign_key_check")
        problems += [f"{row[0]} row {row[1]} points at a missing {row[2]}" for row in await cursor.fetchall()]
        return problems

    async def vacuum(self, at: datetime) -> None:
        """Compact the file and remember when."""
        await self.connection.commit()
        await self.connection.execute("VACUUM")
        await self.set_meta("last_vacuum", at.isoformat())

    async def vacuum_due(self, now: datetime, every: timedelta = timedelta(days=30)) -> bool:
        """True when the file was never compacted or not for `every`."""
        last = _parse_datetime(await self.get_meta("last_vacuum"))
        return last is None or now - last >= every

    # ------------------------------------------------------------------ duplicates

    async def find_duplicates(self) -> list[list[Paper]]:
        """Groups of papers that are probably the same: equal titles once case, punctuation and
        spacing are ignored (imports from two reference managers often disagree on all three)."""
        cursor = await self.connection.execute("SELECT id, title FROM papers ORDER BY added_at")
        groups: dict[str, list[str]] = {}
        for row in await cursor.fetchall():
            key = " ".join("".join(ch if ch.isalnum() else " " for ch in row["title"].lower()).split())
            groups.setdefault(key, []).append(row["id"])
        found: list[list[Paper]] = []
        for ids in groups.values():
            if len(ids) < 2:
                continue
            cursor = await self.connection.execute(
                f"SELECT * FROM papers WHERE id IN ({_placeholders(len(ids))}) ORDER BY added_at", tuple(ids)
            )
            found.append(await self._papers_from_rows(list(await cursor.fetchall())))
        return found

    async def merge_papers(self, keep_id: UUID, drop_id: UUID, at: datetime) -> Paper:
        """Fold `drop_id` into `keep_id`: its notes, highlights, sessions, tags, collection places and
        citations move over (without duplicates), missing fields are filled in, then it is deleted."""
        if keep_id == drop_id:
            raise DatabaseError("cannot merge a paper with itself")
        keep, drop = await self.get_paper(keep_id), await self.get_paper(drop_id)
        if keep is None or drop is None:
            raise NotFoundError(f"paper {keep_id if keep is None else drop_id} not found")
        keep_s, drop_s = str(keep_id), str(drop_id)
        async with self.transaction() as conn:
            for table in ("notes", "highlights", "reading_sessions"):
                await conn.execute(f"UPDATE {table} SET paper_id = ? WHERE paper_id = ?", (keep_s, drop_s))
            await conn.execute(
                "INSERT OR IGNORE INTO paper_tags (paper_id, tag) SELECT ?, tag FROM paper_tags WHERE paper_id = ?",
                (keep_s, drop_s),
            )
            await conn.execute(
                """
                INSERT OR IGNORE INTO collection_items (collection_id, paper_id, position, added_at)
                SELECT collection_id, ?, position, added_at FROM collection_items WHERE paper_id = ?
                """,
                (keep_s, drop_s),
            )
            await conn.execute(
                """
                INSERT OR IGNORE INTO citations (citing_id, cited_id, context)
                SELECT CASE WHEN citing_id = ? THEN ? ELSE citing_id END,
                       CASE WHEN cited_id = ? THEN ? ELSE cited_id END, context
                FROM citations WHERE (citing_id = ? OR cited_id = ?) AND NOT (citing_id = ? AND cited_id = ?)
                      AND NOT (citing_id = ? AND cited_id = ?)
                """,
                (drop_s, keep_s, drop_s, keep_s, drop_s, drop_s, keep_s, drop_s, drop_s, keep_s),
            )
            if not keep.authors and drop.authors:
                await self._write_authors(conn, keep_id, drop.authors)
            # The dropped paper goes first: its DOI is unique, and it may be the one the kept paper takes.
            await conn.execute("DELETE FROM papers WHERE id = ?", (drop_s,))
            await conn.execute(
                """
                UPDATE papers SET
                    doi = coalesce(doi, ?), url = coalesce(url, ?), year = coalesce(year, ?),
                    abstract = coalesce(abstract, ?), pages = coalesce(pages, ?),
                    pages_read = max(pages_read, ?), rating = coalesce(rating, ?), updated_at = ?
                WHERE id = ?
                """,
                (
                    None if keep.doi else drop.doi,
                    drop.url,
                    drop.year,
                    drop.abstract,
                    drop.pages,
                    drop.pages_read,
                    drop.rating,
                    at.isoformat(),
                    keep_s,
                ),
            )
        logger.info("merged paper %s into %s", drop_id, keep_id)
        merged = await self.get_paper(keep_id)
        assert merged is not None
        return merged

    # ------------------------------------------------------------------ reports

    async def reading_report(self, since: datetime, until: datetime) -> dict[str, Any]:
        """What happened between two times: minutes per day, papers finished, notes and highlights."""
        bounds = (since.isoformat(), until.isoformat())
        cursor = await self.connection.execute(
            """
            SELECT substr(started_at, 1, 10) AS day, sum(minutes) AS minutes FROM reading_sessions
            WHERE started_at >= ? AND started_at < ? GROUP BY day ORDER BY day
            """,
            bounds,
        )
        per_day = {row["day"]: int(row["minutes"]) for row in await cursor.fetchall()}
        cursor = await self.connection.execute(
            "SELECT * FROM papers WHERE finished_at >= ? AND finished_at < ? ORDER BY finished_at", bounds
        )
        finished = await self._papers_from_rows(list(await cursor.fetchall()))
        counts: dict[str, int] = {}
        for table in ("notes", "highlights"):
            cursor = await self.connection.execute(
                f"SELECT count(*) AS n FROM {table} WHERE created_at >= ? AND created_at < ?", bounds
            )
            row = await cursor.fetchone()
            counts[table] = int(row["n"]) if row else 0
        return {
            "minutes_per_day": per_day,
            "minutes": sum(per_day.values()),
            "finished": [paper.title for paper in finished],
            **counts,
        }

    # ------------------------------------------------------------------ export / import

    async def export_snapshot(self) -> dict[str, Any]:
        """Everything in the log as JSON-ready data (the format `import_snapshot` reads)."""
        papers = await self.list_papers(limit=1_000_000)
        snapshot: dict[str, Any] = {
            "format": "papertrail-snapshot",
            "schema_version": SCHEMA_VERSION,
            "papers": [paper.model_dump(mode="json") for paper in papers],
            "notes": [],
            "highlights": [],
            "sessions": [session.model_dump(mode="json") for session in await self.list_sessions()],
            "collections": [],
            "citations": [],
        }
        for paper in papers:
            snapshot["notes"] += [note.model_dump(mode="json") for note in await self.list_notes(paper.id)]
            snapshot["highlights"] += [h.model_dump(mode="json") for h in await self.list_highlights(paper.id)]
        for collection, _ in await self.list_collections(include_archived=True):
            members = await self.collection_papers(collection.id)
            snapshot["collections"].append(
                {**collection.model_dump(mode="json"), "papers": [str(paper.id) for paper in members]}
            )
        cursor = await self.connection.execute("SELECT citing_id, cited_id, context FROM citations")
        snapshot["citations"] = [dict(row) for row in await cursor.fetchall()]
        return snapshot

    async def import_snapshot(self, snapshot: dict[str, Any]) -> dict[str, int]:
        """Add what a snapshot holds; papers already present (same id or DOI) are skipped."""
        if snapshot.get("format") != "papertrail-snapshot":
            raise DatabaseError("not a papertrail snapshot")
        added = {"papers": 0, "notes": 0, "highlights": 0, "sessions": 0, "collections": 0, "citations": 0}
        for data in snapshot.get("papers", []):
            paper = Paper.model_validate(data)
            if await self.get_paper(paper.id) or (paper.doi and await self.find_paper_by_doi(paper.doi)):
                continue
            await self.insert_paper(paper)
            added["papers"] += 1
        for data in snapshot.get("notes", []):
            note = Note.model_validate(data)
            if await self.get_note(note.id) is None:
                await self.insert_note(note)
                added["notes"] += 1
        for data in snapshot.get("highlights", []):
            highlight = Highlight.model_validate(data)
            known = {h.id for h in await self.list_highlights(highlight.paper_id)}
            if highlight.id not in known:
                await self.insert_highlight(highlight)
                added["highlights"] += 1
        for data in snapshot.get("sessions", []):
            session = ReadingSession.model_validate(data)
            known = {s.id for s in await self.list_sessions(paper_id=session.paper_id)}
            if session.id not in known:
                await self.insert_session(session)
                added["sessions"] += 1
        for data in snapshot.get("collections", []):
            collection = Collection.model_validate(data)
            existing = await self.get_collection(collection.name)
            if existing is None:
                await self.insert_collection(collection)
                added["collections"] += 1
                existing = collection
            for paper_id in data.get("papers", []):
                await self.add_to_collection(existing.id, UUID(paper_id), collection.created_at)
        for data in snapshot.get("citations", []):
            await self.add_citation(Citation.model_validate(data))
            added["citations"] += 1
        logger.info("imported %s", ", ".join(f"{n} {what}" for what, n in added.items()))
        return added

    @staticmethod
    def snapshot_to_json(snapshot: dict[str, Any]) -> str:
        """A snapshot as the text written to an export file."""
        return json.dumps(snapshot, indent=2, sort_keys=True)
