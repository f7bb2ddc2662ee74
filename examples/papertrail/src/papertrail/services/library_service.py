"""The reading log's use cases, shared by the MCP tools and the command line."""

import logging
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from papertrail.domain.models import (
    Citation,
    Collection,
    Highlight,
    Note,
    NoteKind,
    Paper,
    ReadingSession,
    ReadingStatus,
    Tag,
)

if TYPE_CHECKING:
    from papertrail.infrastructure.database import PaperDatabase
    from papertrail.services.clock import Clock
    from papertrail.services.planner import PlannedReading, ReadingPlanner
    from papertrail.services.ranking import Ranker

logger = logging.getLogger(__name__)


class PaperNotFoundError(Exception):
    """Raised when a paper, note or collection named by the caller does not exist."""


class LibraryService:
    """Adds papers and everything the reader attaches to them; answers what to read next."""

    def __init__(
        self, db: "PaperDatabase", ranker: "Ranker", planner: "ReadingPlanner", clock: "Clock"
    ) -> None:
        self.db = db
        self.ranker = ranker
        self.planner = planner
        self.clock = clock

    # ------------------------------------------------------------------ papers

    async def add_paper(
        self,
        title: str,
        authors: list[str] | None = None,
        doi: str | None = None,
        url: str | None = None,
        year: int | None = None,
        abstract: str | None = None,
        priority: int = 3,
        pages: int | None = None,
        tags: list[str] | None = None,
    ) -> Paper:
        """Add a paper to the log, or return the one that has the same DOI already.

        Args:
            title: The paper's title.
            authors: Author names in byline order.
            doi: Digital Object Identifier, if it has one.
            url: Where to read it.
            year: Year of publication.
            abstract: The abstract.
            priority: 1 (someday) to 5 (now).
            pages: Number of pages, for reading estimates.
            tags: Free-form tags.

        Returns:
            The stored paper.
        """
        if doi:
            existing = await self.db.find_paper_by_doi(doi)
            if existing is not None:
                logger.info("paper with DOI %s is in the log already", doi)
                return existing
        paper = Paper(
            title=title.strip(),
            authors=[name.strip() for name in authors or [] if name.strip()],
            doi=doi.strip() if doi else None,
            url=url,
            year=year,
            abstract=abstract,
            priority=priority,
            pages=pages,
            tags=sorted({tag.strip().lower() for tag in tags or [] if tag.strip()}),
            added_at=self.clock.now(),
        )
        await self.db.insert_paper(paper)
        logger.info("added paper %s (%s)", paper.id, paper.title)
        return paper

    async def get_paper(self, paper_id: UUID) -> Paper:
        """A paper by id; raises PaperNotFoundError."""
        paper = await self.db.get_paper(paper_id)
        if paper is None:
            raise PaperNotFoundError(f"paper {paper_id} not found")
        return paper

    async def list_papers(
        self,
        status: ReadingStatus | None = None,
        tag: str | None = None,
        collection: str | None = None,
        order: str = "added",
        limit: int = 50,
    ) -> list[Paper]:
        """Papers filtered by status, tag and collection name."""
        collection_id = None
        if collection is not None:
            found = await self.db.get_collection(collection)
            if found is None:
                raise PaperNotFoundError(f"collection {collection!r} not found")
            collection_id = found.id
        return await self.db.list_papers(
            status=status, tag=tag.lower() if tag else None, collection_id=collection_id, order=order, limit=limit
        )

    async def search(self, query: str, limit: int = 20) -> list[Paper]:
        """Papers matching every word of the query (title, abstract, authors, notes)."""
        return await self.db.search_papers(query, limit=limit)

    async def set_status(self, paper_id: UUID, status: ReadingStatus) -> Paper:
        """Move a paper through the queue (to_read → reading → read, or abandoned)."""
        await self.get_paper(paper_id)
        await self.db.update_paper_status(paper_id, status, self.clock.now())
        return await self.get_paper(paper_id)

    async def rate(self, paper_id: UUID, rating: int) -> Paper:
        """Give a paper 1 to 5 stars."""
        if not 1 <= rating <= 5:
            raise ValueError("rating must be between 1 and 5")
        await self.get_paper(paper_id)
        await self.db.rate_paper(paper_id, rating, self.clock.now())
        return await self.get_paper(paper_id)

    async def tag(self, paper_id: UUID, tags: list[str]) -> Paper:
        """Replace the tags of a paper."""
        await self.get_paper(paper_id)
        await self.db.set_paper_tags(paper_id, sorted({t.strip().lower() for t in tags if t.strip()}), self.clock.now())
        return await self.get_paper(paper_id)

    async def remove_paper(self, paper_id: UUID) -> None:
        """Delete a paper with its notes, highlights and sessions."""
        if not await self.db.delete_paper(paper_id):
            raise PaperNotFoundError(f"paper {paper_id} not found")
        await self.db.delete_orphan_authors()

    async def list_tags(self) -> list[Tag]:
        """Every tag with its number of papers."""
        return await self.db.list_tags()

    # ------------------------------------------------------------------ notes and highlights

    async def add_note(self, paper_id: UUID, body: str, kind: NoteKind = NoteKind.SUMMARY, page: int | None = None) -> Note:
        """Attach a note to a paper."""
        await self.get_paper(paper_id)
        note = Note(paper_id=paper_id, body=body, kind=kind, page=page, created_at=self.clock.now())
        await self.db.insert_note(note)
        return note

    async def notes(self, paper_id: UUID, kind: NoteKind | None = None) -> list[Note]:
        """The notes of a paper, pinned first."""
        return await self.db.list_notes(paper_id, kind)

    async def add_highlight(self, paper_id: UUID, quote: str, page: int | None = None, color: str = "yellow") -> Highlight:
        """Keep a passage of a paper."""
        await self.get_paper(paper_id)
        highlight = Highlight(paper_id=paper_id, quote=quote, page=page, color=color, created_at=self.clock.now())
        await self.db.insert_highlight(highlight)
        return highlight

    # ------------------------------------------------------------------ reading

    async def log_session(
        self, paper_id: UUID, minutes: int, pages_from: int | None = None, pages_to: int | None = None
    ) -> ReadingSession:
        """Record a reading session; reading a paper starts it, reaching its last page finishes it."""
        paper = await self.get_paper(paper_id)
        now = self.clock.now()
        session = ReadingSession(
            paper_id=paper_id,
            started_at=now - timedelta(minutes=minutes),
            minutes=minutes,
            pages_from=pages_from,
            pages_to=pages_to,
        )
        await self.db.insert_session(session)
        if pages_to is not None and pages_to > paper.pages_read:
            await self.db.update_paper_progress(paper_id, pages_to, now)
        if paper.status is ReadingStatus.TO_READ:
            await self.db.update_paper_status(paper_id, ReadingStatus.READING, now)
        if paper.pages is not None and pages_to is not None and pages_to >= paper.pages:
            await self.db.update_paper_status(paper_id, ReadingStatus.READ, now)
        return session

    async def reading_streak(self) -> int:
        """Consecutive days up to today (or yesterday) with some reading."""
        today = self.clock.now().date()
        days = set(await self.db.reading_days(self.clock.now() - timedelta(days=366)))
        day = today if today.isoformat() in days else today - timedelta(days=1)
        streak = 0
        while day.isoformat() in days:
            streak += 1
            day -= timedelta(days=1)
        return streak

    async def queue(self, limit: int = 10) -> list[tuple[Paper, float]]:
        """What to read next, best first."""
        return await self.ranker.queue(limit)

    async def plan_today(self, minutes: int | None = None) -> list["PlannedReading"]:
        """Today's reading, within the daily budget (or `minutes`)."""
        return await self.planner.plan(minutes)

    # ------------------------------------------------------------------ collections and citations

    async def create_collection(self, name: str, description: str | None = None) -> Collection:
        """A new reading list."""
        collection = Collection(name=name.strip(), description=description, created_at=self.clock.now())
        await self.db.insert_collection(collection)
        return collection

    async def add_to_collection(self, name: str, paper_id: UUID) -> int:
        """Append a paper to a collection; returns its position."""
        collection = await self.db.get_collection(name)
        if collection is None:
            raise PaperNotFoundError(f"collection {name!r} not found")
        await self.get_paper(paper_id)
        return await self.db.add_to_collection(collection.id, paper_id, self.clock.now())

    async def cite(self, citing_id: UUID, cited_id: UUID, context: str | None = None) -> None:
        """Record that one paper of the log cites another."""
        await self.get_paper(citing_id)
        await self.get_paper(cited_id)
        await self.db.add_citation(Citation(citing_id=citing_id, cited_id=cited_id, context=context))

    async def stats(self) -> dict[str, object]:
        """Counts for the library overview."""
        by_status = await self.db.count_papers_by_status()
        return {
            **await self.db.stats(),
            "by_status": {status.value: n for status, n in by_status.items()},
            "minutes_this_week": await self.db.minutes_read(self.clock.now() - timedelta(days=7)),
            "streak_days": await self.reading_streak(),
        }
