'''SQLite storage of books.'''
import json
from datetime import datetime
from typing import List, Optional
from uuid import UUID

import aiosqlite

from bookshelf.domain.book import Book, BookCondition


class BookRepository:
    '''Reads and writes the ``books`` table.'''

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def add(self, book: Book) -> Book:
        '''
        Store a new book.

        :param book: the book to store
        :returns: the same book
        :raises aiosqlite.IntegrityError: if the ISBN is already on the shelf
        '''
        await self._db.execute(
            '''
            INSERT INTO books (id, isbn, title, author, published_year, condition, shelf, notes, tags, details, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ''',
            [
                str(book.id),
                book.isbn,
                book.title,
                book.author,
                book.published_year,
                book.condition.value,
                book.shelf,
                book.notes,
                json.dumps(book.tags),
                json.dumps(book.details),
                book.added_at.isoformat(),
            ],
        )
        await self._db.commit()
        return book

    async def get(self, book_id: UUID) -> Optional[Book]:
        '''
        :param book_id: id of the book
        :returns: the book, or ``None``
        '''
        cursor = await self._db.execute('SELECT * FROM books WHERE id = ?', (str(book_id),))
        row = await cursor.fetchone()
        return _row_to_book(row) if row else None

    async def find_by_isbn(self, isbn: str) -> Optional[Book]:
        '''
        :param isbn: the ISBN to look for
        :returns: the book with this ISBN, or ``None``
        '''
        cursor = await self._db.execute('SELECT * FROM books WHERE isbn = ?', (isbn,))
        row = await cursor.fetchone()
        return _row_to_book(row) if row else None

    async def list_all(self, condition: Optional[BookCondition] = None, tag: Optional[str] = None) -> List[Book]:
        '''
        List books sorted by author, then title.

        :param condition: only books in this condition
        :param tag: only books carrying this tag
        '''
        if condition is None:
            cursor = await self._db.execute('SELECT * FROM books ORDER BY author, title')
        else:
            cursor = await self._db.execute(
                'SELECT * FROM books WHERE condition = ? ORDER BY author, title', (condition.value,)
            )
        books = [_row_to_book(row) for row in await cursor.fetchall()]
        if tag is not None:
            books = [book for book in books if tag in book.tags]
        return books

    async def update_condition(self, book_id: UUID, condition: BookCondition) -> bool:
        '''
        :param book_id: id of the book
        :param condition: its new condition
        :returns: ``False`` if there is no such book
        '''
        cursor = await self._db.execute(
            'UPDATE books SET condition = ? WHERE id = ?', (condition.value, str(book_id))
        )
        await self._db.commit()
        return cursor.rowcount > 0

    async def delete(self, book_id: UUID) -> bool:
        '''
        :param book_id: id of the book
        :returns: ``False`` if there is no such book
        '''
        cursor = await self._db.execute('DELETE FROM books WHERE id = ?', (str(book_id),))
        await self._db.commit()
        return cursor.rowcount > 0


def _row_to_book(row: aiosqlite.Row) -> Book:
    data = dict(row)
    return Book(
        id=UUID(data['id']),
        isbn=data['isbn'],
        title=data['title'],
        author=data['author'],
        published_year=data['published_year'],
        condition=BookCondition(data['condition']),
        shelf=data.get('shelf'),
        notes=data['notes'],
        tags=json.loads(data['tags']),
        details=json.loads(data.get('details') or '{}'),
        added_at=datetime.fromisoformat(data['added_at']),
    )
