from datetime import datetime, timezone
from uuid import uuid4

import aiosqlite
import pytest

from bookshelf.domain.book import Book, BookCondition


def dune(**overrides):
    values = dict(
        isbn='9780441013593',
        title='Dune',
        author='Frank Herbert',
        published_year=1965,
        condition=BookCondition.NEW,
        shelf='living room',
        notes='first read in 1999',
        tags=['sci-fi', 'classic'],
        details={'publisher': 'Ace', 'translator': 'none'},
        added_at=datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc),
    )
    values.update(overrides)
    return Book(**values)


@pytest.mark.asyncio
async def test_a_stored_book_reads_back_equal(repository):
    book = dune()
    assert await repository.add(book) is book
    assert await repository.get(book.id) == book
    assert await repository.find_by_isbn(book.isbn) == book


@pytest.mark.asyncio
async def test_missing_books_are_none(repository):
    assert await repository.get(uuid4()) is None
    assert await repository.find_by_isbn('0000000000') is None


@pytest.mark.asyncio
async def test_the_same_isbn_cannot_be_stored_twice(repository):
    await repository.add(dune())
    with pytest.raises(aiosqlite.IntegrityError):
        await repository.add(dune())


@pytest.mark.asyncio
async def test_list_all_sorts_and_filters(repository):
    herbert = await repository.add(dune())
    asimov = await repository.add(
        Book(isbn='0553293354', title='Foundation', author='Isaac Asimov', condition=BookCondition.WORN,
             tags=['sci-fi'])
    )
    austen = await repository.add(Book(isbn='0141439513', title='Pride and Prejudice', author='Jane Austen'))
    assert [b.id for b in await repository.list_all()] == [herbert.id, asimov.id, austen.id]
    assert [b.id for b in await repository.list_all(condition=BookCondition.WORN)] == [asimov.id]
    assert [b.id for b in await repository.list_all(tag='classic')] == [herbert.id]


@pytest.mark.asyncio
async def test_condition_updates_and_deletes_report_missing_books(repository):
    book = await repository.add(dune())
    assert await repository.update_condition(book.id, BookCondition.DAMAGED)
    assert (await repository.get(book.id)).condition is BookCondition.DAMAGED
    assert not await repository.update_condition(uuid4(), BookCondition.NEW)
    assert await repository.delete(book.id)
    assert not await repository.delete(book.id)
