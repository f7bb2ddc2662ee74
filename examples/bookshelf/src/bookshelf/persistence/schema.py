'''Schema of the bookshelf database and its migrations.'''
import logging

import aiosqlite

logger = logging.getLogger(__name__)


async def connect(path: str) -> aiosqlite.Connection:
    '''
    Open the database file and bring its schema up to date.

    :param path: file name of the SQLite database (``:memory:`` works too)
    :returns: an open connection whose rows support ``row['column']`` and ``dict(row)``
    '''
    db = await aiosqlite.connect(path)
    db.row_factory = aiosqlite.Row
    await create_schema(db)
    return db


async def create_schema(db: aiosqlite.Connection) -> None:
    '''
    Create the tables of a new database, then migrate an older one.

    :param db: an open connection
    '''
    await db.execute('''
        CREATE TABLE IF NOT EXISTS books (
            id TEXT PRIMARY KEY,
            isbn TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            author TEXT NOT NULL,
            published_year INTEGER,
            condition TEXT NOT NULL DEFAULT 'good',
            shelf TEXT,
            notes TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            details TEXT NOT NULL DEFAULT '{}',
            added_at TEXT NOT NULL
        )
    ''')
    await _run_migrations(db)
    await db.execute('CREATE INDEX IF NOT EXISTS idx_books_author ON books (author)')
    await db.commit()


async def _run_migrations(db: aiosqlite.Connection) -> None:
    '''
    Add the columns that later versions introduced; safe to run any number of times.

    :param db: an open connection with ``aiosqlite.Row`` rows
    '''
    cursor = await db.execute('PRAGMA table_info(books)')
    existing = {row['name'] for row in await cursor.fetchall()}

    if 'shelf' not in existing:
        logger.info('Migrating books: adding column shelf')
        await db.execute('ALTER TABLE books ADD COLUMN shelf TEXT')
        await db.commit()

    if 'details' not in existing:
        logger.info('Migrating books: adding column details')
        await db.execute("ALTER TABLE books ADD COLUMN details TEXT NOT NULL DEFAULT '{}'")
        await db.commit()
