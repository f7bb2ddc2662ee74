"""Shared fixtures: the reading log on a temporary file, the service with a fixed clock, the tools."""

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from papertrail.infrastructure.database import PaperDatabase
from papertrail.mcp.paper_server import PaperTrailServer
from papertrail.services.clock import FixedClock
from papertrail.services.library_service import LibraryService
from papertrail.services.planner import ReadingPlanner
from papertrail.services.ranking import Ranker


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "papertrail.db"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[PaperDatabase]:
    database = PaperDatabase(db_path)
    await database.initialize()
    yield database
    await database.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc))


@pytest.fixture
def service(db: PaperDatabase, clock: FixedClock) -> LibraryService:
    ranker = Ranker(db, clock)
    return LibraryService(db, ranker, ReadingPlanner(ranker, daily_minutes=45), clock)


@pytest.fixture
def server(service: LibraryService) -> PaperTrailServer:
    return PaperTrailServer(service)
