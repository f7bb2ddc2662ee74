import pytest
import pytest_asyncio

from bookshelf.api.tool_server import BookshelfToolServer
from bookshelf.persistence.book_repository import BookRepository
from bookshelf.persistence.schema import connect
from bookshelf.services.library_service import LibraryService


@pytest.fixture
def db_file(tmp_path):
    return str(tmp_path / 'bookshelf.db')


@pytest_asyncio.fixture
async def db(db_file):
    connection = await connect(db_file)
    yield connection
    await connection.close()


@pytest.fixture
def repository(db):
    return BookRepository(db)


@pytest.fixture
def library(repository):
    return LibraryService(repository)


@pytest.fixture
def tools(library):
    return BookshelfToolServer(library)


@pytest.fixture
def dune_args():
    return {
        'isbn': '9780441013593',
        'title': 'Dune',
        'author': 'Frank Herbert',
        'published_year': 1965,
        'tags': ['sci-fi', 'classic'],
        'details': {'publisher': 'Ace'},
    }
