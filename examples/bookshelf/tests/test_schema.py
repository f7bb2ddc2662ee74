import logging

import aiosqlite
import pytest

from bookshelf.persistence.schema import _run_migrations, connect

# books as version 1.0 created it: no shelf, no details
V1_BOOKS = '''
    CREATE TABLE books (
        id TEXT PRIMARY KEY,
        isbn TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        author TEXT NOT NULL,
        published_year INTEGER,
        condition TEXT NOT NULL DEFAULT 'good',
        notes TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        added_at TEXT NOT NULL
    )
'''


async def columns(db):
    cursor = await db.execute('PRAGMA table_info(books)')
    return [row[1] for row in await cursor.fetchall()]


@pytest.mark.asyncio
async def test_a_new_database_has_every_column(db):
    present = await columns(db)
    for column in ('id', 'isbn', 'title', 'author', 'published_year', 'condition',
                   'shelf', 'notes', 'tags', 'details', 'added_at'):
        assert column in present


@pytest.mark.asyncio
async def test_a_version_1_database_is_migrated_and_keeps_its_books(tmp_path, caplog):
    path = str(tmp_path / 'v1.db')
    async with aiosqlite.connect(path) as old:
        await old.execute(V1_BOOKS)
        await old.execute(
            'INSERT INTO books (id, isbn, title, author, tags, added_at) VALUES (?, ?, ?, ?, ?, ?)',
            ('7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a', '0441013597', 'Dune', 'Frank Herbert', '["sci-fi"]',
             '2020-05-01T10:00:00+00:00'),
        )
        await old.commit()

    with caplog.at_level(logging.INFO, logger='bookshelf.persistence.schema'):
        db = await connect(path)
    try:
        assert 'shelf' in await columns(db)
        assert 'details' in await columns(db)
        assert 'adding column shelf' in caplog.text
        cursor = await db.execute('SELECT shelf, details FROM books')
        row = await cursor.fetchone()
        assert tuple(row) == (None, '{}')
    finally:
        await db.close()


@pytest.mark.asyncio
async def test_migrations_can_run_again_without_changes(db, caplog):
    before = await columns(db)
    with caplog.at_level(logging.INFO, logger='bookshelf.persistence.schema'):
        await _run_migrations(db)
        await _run_migrations(db)
    assert await columns(db) == before
    assert caplog.text == ''
