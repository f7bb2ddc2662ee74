'''Use cases of the library.'''
from typing import Dict, List, Optional
from uuid import UUID

from bookshelf.domain.book import Book, BookCondition
from bookshelf.persistence.book_repository import BookRepository


class BookNotFound(LookupError):
    '''No book with the given id.'''


class DuplicateIsbn(ValueError):
    '''A book with this ISBN is already on the shelf.'''


class LibraryService:
    '''
    Registers, finds and retires books.

    :param books: the repository of books
    '''

    def __init__(self, books: BookRepository) -> None:
        self.books = books

    async def register_book(
        self,
        isbn: str,
        title: str,
        author: str,
        published_year: Optional[int] = None,
        condition: BookCondition = BookCondition.GOOD,
        shelf: Optional[str] = None,
        notes: Optional[str] = None,
        tags: Optional[List[str]] = None,
        details: Optional[Dict[str, str]] = None,
    ) -> Book:
        '''
        Put a new book on the shelf.

        :param isbn: ISBN-10 or ISBN-13, digits only
        :param title: the title
        :param author: the author
        :param published_year: year of first publication
        :param condition: physical state of the copy
        :param shelf: where the book is kept
        :param notes: free text
        :param tags: labels such as ``'sci-fi'``
        :param details: extra facts such as ``{'publisher': '...'}``
        :returns: the stored book
        :raises DuplicateIsbn: if a book with this ISBN is already registered
        '''
        if await self.books.find_by_isbn(isbn) is not None:
            raise DuplicateIsbn(f'ISBN {isbn} is already on the shelf')
        book = Book(
            isbn=isbn,
            title=title,
            author=author,
            published_year=published_year,
            condition=condition,
            shelf=shelf,
            notes=notes,
            tags=tags or [],
            details=details or {},
        )
        return await self.books.add(book)

    async def get_book(self, book_id: UUID) -> Book:
        '''
        :param book_id: id of the book
        :raises BookNotFound: if there is no such book
        '''
        book = await self.books.get(book_id)
        if book is None:
            raise BookNotFound(f'Book {book_id} not found')
        return book

    async def list_books(self, condition: Optional[BookCondition] = None, tag: Optional[str] = None) -> List[Book]:
        '''
        :param condition: only books in this condition
        :param tag: only books with this tag
        '''
        return await self.books.list_all(condition=condition, tag=tag)

    async def change_condition(self, book_id: UUID, condition: BookCondition) -> Book:
        '''
        Record that a copy got worn or damaged (or was replaced).

        :param book_id: id of the book
        :param condition: its new condition
        :raises BookNotFound: if there is no such book
        '''
        if not await self.books.update_condition(book_id, condition):
            raise BookNotFound(f'Book {book_id} not found')
        return await self.get_book(book_id)

    async def remove_book(self, book_id: UUID) -> None:
        '''
        :param book_id: id of the book
        :raises BookNotFound: if there is no such book
        '''
        if not await self.books.delete(book_id):
            raise BookNotFound(f'Book {book_id} not found')
