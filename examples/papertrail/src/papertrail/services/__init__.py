"""Use cases of the reading log, and how the application wires them."""

from typing import TYPE_CHECKING

from papertrail.services.clock import Clock
from papertrail.services.library_service import LibraryService, PaperNotFoundError
from papertrail.services.planner import ReadingPlanner
from papertrail.services.ranking import Ranker

if TYPE_CHECKING:
    from papertrail.config import Settings
    from papertrail.infrastructure.database import PaperDatabase

__all__ = ["LibraryService", "PaperNotFoundError", "build_service"]


def build_service(db: "PaperDatabase", settings: "Settings", clock: Clock | None = None) -> LibraryService:
    """The service with its collaborators, each built from the ones before it."""
    clock = clock or Clock()
    ranker = Ranker(db, clock, half_life_days=settings.half_life_days)
    planner = ReadingPlanner(ranker, daily_minutes=settings.daily_reading_minutes)
    return LibraryService(db, ranker, planner, clock)
