'''Bookshelf tools for MCP clients.'''
from typing import Any, Dict, List
from uuid import UUID

from pydantic import ValidationError

from bookshelf.api.tool import Tool
from bookshelf.domain.book import Book, BookCondition
from bookshelf.services.library_service import BookNotFound, DuplicateIsbn, LibraryService


class BookshelfToolServer:
    '''
    Exposes :class:`LibraryService` as tools.

    :param service: the library service
    '''

    def __init__(self, service: LibraryService) -> None:
        self.service = service
        self._tools: Dict[str, Tool] = {}
        self._register_tools()

    def _register_tools(self) -> None:
        conditions = [c.value for c in BookCondition]
        for tool in (
            Tool(
                name='book_register',
                description='Put a new book on the shelf',
                inputSchema={
                    'type': 'object',
                    'properties': {
                        'isbn': {'type': 'string', 'pattern': r'^\d{10}(\d{3})?$'},
                        'title': {'type': 'string', 'minLength': 1, 'maxLength': 300},
                        'author': {'type': 'string', 'minLength': 1, 'maxLength': 200},
                        'published_year': {'type': 'integer', 'minimum': 1450, 'maximum': 2100},
                        'condition': {'type': 'string', 'enum': conditions},
                        'shelf': {'type': 'string', 'maxLength': 50},
                        'notes': {'type': 'string'},
                        'tags': {'type': 'array', 'items': {'type': 'string'}},
                        'details': {'type': 'object', 'additionalProperties': {'type': 'string'}},
                    },
                    'required': ['isbn', 'title', 'author'],
                },
                handler=self._handle_book_register,
            ),
            Tool(
                name='book_get',
                description='Get one book',
                inputSchema={
                    'type': 'object',
                    'properties': {'book_id': {'type': 'string', 'format': 'uuid'}},
                    'required': ['book_id'],
                },
                handler=self._handle_book_get,
            ),
            Tool(
                name='book_list',
                description='List books by author and title',
                inputSchema={
                    'type': 'object',
                    'properties': {
                        'condition': {'type': 'string', 'enum': conditions},
                        'tag': {'type': 'string'},
                    },
                },
                handler=self._handle_book_list,
            ),
            Tool(
                name='book_set_condition',
                description='Record the condition of a copy',
                inputSchema={
                    'type': 'object',
                    'properties': {
                        'book_id': {'type': 'string', 'format': 'uuid'},
                        'condition': {'type': 'string', 'enum': conditions},
                    },
                    'required': ['book_id', 'condition'],
                },
                handler=self._handle_book_set_condition,
            ),
            Tool(
                name='book_remove',
                description='Take a book off the shelf',
                inputSchema={
                    'type': 'object',
                    'properties': {'book_id': {'type': 'string', 'format': 'uuid'}},
                    'required': ['book_id'],
                },
                handler=self._handle_book_remove,
            ),
        ):
            self._tools[tool.name] = tool

    def list_tools(self) -> List[Dict[str, Any]]:
        '''The definitions of every tool.'''
        return [tool.definition() for tool in self._tools.values()]

    async def call_tool(self, name: str, arguments: Dict[str, Any]) -> Dict[str, Any]:
        '''
        Run a tool.

        :param name: the tool's name
        :param arguments: its arguments
        :returns: the tool's result, or ``{'error': ..., 'message': ...}``
        '''
        tool = self._tools.get(name)
        if tool is None:
            return {'error': 'unknown_tool', 'message': f'No tool named {name}'}
        try:
            return await tool.handler(arguments)
        except BookNotFound as exc:
            return {'error': 'not_found', 'message': str(exc)}
        except DuplicateIsbn as exc:
            return {'error': 'duplicate', 'message': str(exc)}
        except (ValidationError, KeyError, ValueError) as exc:
            return {'error': 'invalid_arguments', 'message': str(exc)}

    async def _handle_book_register(self, args: Dict[str, Any]) -> Dict[str, Any]:
        condition = args.get('condition')
        book = await self.service.register_book(
            args['isbn'],
            args['title'],
            args['author'],
            published_year=args.get('published_year'),
            condition=BookCondition(condition) if condition else BookCondition.GOOD,
            shelf=args.get('shelf'),
            notes=args.get('notes'),
            tags=args.get('tags'),
            details=args.get('details'),
        )
        return {'book': _book_to_dict(book)}

    async def _handle_book_get(self, args: Dict[str, Any]) -> Dict[str, Any]:
        book = await self.service.get_book(UUID(args['book_id']))
        return {'book': _book_to_dict(book)}

    async def _handle_book_list(self, args: Dict[str, Any]) -> Dict[str, Any]:
        condition = args.get('condition')
        books = await self.service.list_books(
            condition=BookCondition(condition) if condition else None,
            tag=args.get('tag'),
        )
        return {'books': [_book_to_dict(book) for book in books]}

    async def _handle_book_set_condition(self, args: Dict[str, Any]) -> Dict[str, Any]:
        book = await self.service.change_condition(UUID(args['book_id']), BookCondition(args['condition']))
        return {'book': _book_to_dict(book)}

    async def _handle_book_remove(self, args: Dict[str, Any]) -> Dict[str, Any]:
        await self.service.remove_book(UUID(args['book_id']))
        return {'removed': args['book_id']}


def _book_to_dict(book: Book) -> Dict[str, Any]:
    return {
        'id': str(book.id),
        'isbn': book.isbn,
        'title': book.title,
        'author': book.author,
        'published_year': book.published_year,
        'condition': book.condition.value,
        'shelf': book.shelf,
        'notes': book.notes,
        'tags': list(book.tags),
        'details': dict(book.details),
        'added_at': book.added_at.isoformat(),
    }
