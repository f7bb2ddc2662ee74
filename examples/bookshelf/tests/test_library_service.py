from uuid import uuid4

import pytest

from bookshelf.domain.book import BookCondition
from bookshelf.services.library_service import BookNotFound, DuplicateIsbn


@pytest.mark.asyncio
async def test_register_book_stores_every_argument(library, dune_args):
    book = await library.register_book(**dune_args, shelf='hall', notes='signed', condition=BookCondition.NEW)
    stored = await library.get_book(book.id)
    assert stored == book
    assert stored.tags == ['sci-fi', 'classic']
    assert stored.details == {'publisher': 'Ace'}
    assert stored.shelf == 'hall'
    assert stored.condition is BookCondition.NEW


@pytest.mark.asyncio
async def test_register_book_positionally_with_defaults(library):
    book = await library.register_book('0553293354', 'Foundation', 'Isaac Asimov')
    assert book.tags == [] and book.details == {} and book.condition is BookCondition.GOOD


@pytest.mark.asyncio
async def test_a_second_copy_of_an_isbn_is_refused(library, dune_args):
    await library.register_book(**dune_args)
    with pytest.raises(DuplicateIsbn):
        await library.register_book(**dune_args)


@pytest.mark.asyncio
async def test_unknown_books_raise_book_not_found(library):
    with pytest.raises(BookNotFound):
        await library.get_book(uuid4())
    with pytest.raises(BookNotFound):
        await library.change_condition(uuid4(), BookCondition.WORN)
    with pytest.raises(BookNotFound):
        await library.remove_book(uuid4())


@pytest.mark.asyncio
async def test_condition_changes_and_removal(library, dune_args):
    book = await library.register_book(**dune_args)
    worn = await library.change_condition(book.id, BookCondition.WORN)
    assert worn.condition is BookCondition.WORN
    assert [b.id for b in await library.list_books(condition=BookCondition.WORN)] == [book.id]
    await library.remove_book(book.id)
    assert await library.list_books() == []
