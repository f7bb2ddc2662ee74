import pytest

from taskboard.database import Database
from taskboard.repository import TaskRepository
from taskboard.service import TaskService


@pytest.fixture
async def db(tmp_path):
    database = Database(str(tmp_path / "tasks.db"))
    await database.connect()
    yield database
    await database.close()


@pytest.fixture
def service(db):
    return TaskService(TaskRepository(db))
