"""Plans a day's reading from the ranked queue."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from papertrail.domain.models import Paper

if TYPE_CHECKING:
    from papertrail.services.clock import Clock

# Minutes per page of a typical paper (figures and equations included), and for a paper of unknown length.
MINUTES_PER_PAGE = 4
UNKNOWN_LENGTH_MINUTES = 40


@dataclass
class PlannedReading:
    paper: Paper
    minutes: int
    pages_left: int | None


class ReadingPlanner:
    """Fills a daily reading budget with the best-ranked papers that fit."""

    def __init__(self, ranker, daily_minutes: int = 45, clock: "Clock | None" = None) -> None:  # type: ignore[no-untyped-def]
        self.ranker = ranker
        self.daily_minutes = daily_minutes
        self.clock = clock if clock is not None else ranker.clock

    @staticmethod
    def estimate(paper: Paper) -> tuple[int, int | None]:
        """Minutes left to read a paper, and pages left (None when its length is unknown)."""
        if paper.pages is None:
            return UNKNOWN_LENGTH_MINUTES, None
        left = max(paper.pages - paper.pages_read, 0)
        return max(left * MINUTES_PER_PAGE, 5), left

    async def plan(self, minutes: int | None = None) -> list[PlannedReading]:
        """Papers to read today, best first; a paper longer than what is left gets what is left."""
        budget = self.daily_minutes if minutes is None else minutes
        planned: list[PlannedReading] = []
        for paper, _score in await self.ranker.queue(limit=50):
            if budget <= 0:
                break
            needed, pages_left = self.estimate(paper)
            given = min(needed, budget)
            if given < needed and given < 10:
                continue  # Not worth starting for a few minutes; something shorter may still fit.
            planned.append(PlannedReading(paper=paper, minutes=given, pages_left=pages_left))
            budget -= given
        return planned
