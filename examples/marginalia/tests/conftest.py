from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from marginalia.infrastructure.database import ClipDatabase
from marginalia.services.clip_service import ClipService


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[ClipDatabase]:
    database = ClipDatabase(tmp_path / "clips.db")
    await database.connect()
    yield database
    await database.close()


@pytest.fixture
def service(db: ClipDatabase) -> ClipService:
    return ClipService(db)
