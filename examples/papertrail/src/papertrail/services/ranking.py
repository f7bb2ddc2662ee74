"""Orders the reading queue."""

import math
from typing import TYPE_CHECKING

from papertrail.domain.models import Paper, ReadingStatus

if TYPE_CHECKING:
    from papertrail.infrastructure.database import PaperDatabase
    from papertrail.services.clock import Clock


class Ranker:
    """Scores unread papers: priority first, then how often the log cites them, then how long they
    have waited (older waits count less and less: a half-life, so the queue does not freeze)."""

    def __init__(self, db: "PaperDatabase", clock: "Clock", half_life_days: float = 30.0) -> None:
        if half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        self.db = db
        self.clock = clock
        self.half_life_days = half_life_days

    def score(self, paper: Paper, cited: int = 0) -> float:
        """Higher is sooner. A paper being read always comes before one not started."""
        age_days = max((self.clock.now() - paper.added_at).total_seconds() / 86400, 0.0)
        freshness = math.pow(0.5, age_days / self.half_life_days)
        started = 10.0 if paper.status is ReadingStatus.READING else 0.0
        return started + paper.priority * 2.0 + math.log1p(cited) + freshness

    async def queue(self, limit: int = 20) -> list[tuple[Paper, float]]:
        """The unread and in-progress papers, best first, with their scores."""
        candidates = await self.db.list_papers(status=ReadingStatus.READING, limit=500)
        candidates += await self.db.list_papers(status=ReadingStatus.TO_READ, limit=500)
        cited = await self.db.citation_counts()
        scored = [(paper, round(self.score(paper, cited.get(paper.id, 0)), 3)) for paper in candidates]
        scored.sort(key=lambda pair: (-pair[1], pair[0].title.lower()))
        return scored[:limit]
