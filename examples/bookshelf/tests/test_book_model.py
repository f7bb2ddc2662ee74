from uuid import UUID

import pytest
from pydantic import ValidationError

from bookshelf.domain.book import Book, BookCondition


def make_book(**overrides):
    values = {'isbn': '0441013597', 'title': 'Dune', 'author': 'Frank Herbert'}
    values.update(overrides)
    return Book(**values)


def test_a_book_gets_an_id_and_sensible_defaults():
    book = make_book()
    assert isinstance(book.id, UUID)
    assert book.condition is BookCondition.GOOD
    assert book.tags == []
    assert book.details == {}
    assert book.shelf is None
    assert book.published_year is None
    assert book.added_at.tzinfo is not None


@pytest.mark.parametrize('isbn', ['12345', '978044101359X', ''])
def test_an_isbn_must_be_10_or_13_digits(isbn):
    with pytest.raises(ValidationError):
        make_book(isbn=isbn)


def test_whitespace_is_stripped_from_strings():
    assert make_book(title='  Dune  ').title == 'Dune'


@pytest.mark.parametrize('year', [1449, 2101])
def test_published_year_outside_the_printing_era_is_rejected(year):
    with pytest.raises(ValidationError):
        make_book(published_year=year)


def test_shelf_is_at_most_50_characters():
    make_book(shelf='x' * 50)
    with pytest.raises(ValidationError):
        make_book(shelf='x' * 51)


def test_condition_parses_from_its_value():
    assert make_book(condition='worn').condition is BookCondition.WORN


def test_details_values_must_be_strings():
    with pytest.raises(ValidationError):
        make_book(details={'pages': 412})
