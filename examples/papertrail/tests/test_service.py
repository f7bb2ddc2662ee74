"""LibraryService with its real collaborators over a real database."""

from datetime import timedelta
from uuid import uuid4

import pytest

from papertrail.config import Settings
from papertrail.domain.models import NoteKind, ReadingStatus
from papertrail.infrastructure.database import DatabaseError, PaperDatabase
from papertrail.services import build_service
from papertrail.services.clock import Clock, FixedClock
from papertrail.services.library_service import LibraryService, PaperNotFoundError
from papertrail.services.planner import UNKNOWN_LENGTH_MINUTES, ReadingPlanner
from papertrail.services.ranking import Ranker


async def test_add_paper_normalizes_and_stores(service: LibraryService) -> None:
    paper = await service.add_paper(
        " Attention Is All You Need ", authors=["Vaswani, Ashish", " "], doi="10.5555/3295222",
        tags=["NLP", "nlp ", "Transformers"], pages=15, year=2017,
    )
    assert paper.title == "Attention Is All You Need"
    assert paper.authors == ["Vaswani, Ashish"]
    assert paper.tags == ["nlp", "transformers"]
    assert await service.get_paper(paper.id) == paper
    again = await service.add_paper("Another title", doi="10.5555/3295222")
    assert again.id == paper.id


async def test_unknown_papers_are_reported(service: LibraryService) -> None:
    for call in (service.get_paper(uuid4()), service.remove_paper(uuid4()), service.add_note(uuid4(), "x"),
                 service.list_papers(collection="none"), service.add_to_collection("none", uuid4())):
        with pytest.raises(PaperNotFoundError):
            await call


async def test_reading_moves_a_paper_through_the_queue(service: LibraryService, clock: FixedClock) -> None:
    paper = await service.add_paper("Short", pages=10)
    await service.log_session(paper.id, 20, pages_from=1, pages_to=4)
    assert (await service.get_paper(paper.id)).status is ReadingStatus.READING
    clock.advance(days=1)
    await service.log_session(paper.id, 25, pages_from=5, pages_to=10)
    done = await service.get_paper(paper.id)
    assert (done.status, done.pages_read, done.finished_at) == (ReadingStatus.READ, 10, clock.now())
    assert await service.reading_streak() == 2
    clock.advance(days=1)
    assert await service.reading_streak() == 2
    clock.advance(days=2)
    assert await service.reading_streak() == 0


async def test_status_rating_tags_and_removal(service: LibraryService) -> None:
    paper = await service.add_paper("P", authors=["Solo, Han"])
    assert (await service.set_status(paper.id, ReadingStatus.ABANDONED)).status is ReadingStatus.ABANDONED
    assert (await service.rate(paper.id, 5)).rating == 5
    with pytest.raises(ValueError):
        await service.rate(paper.id, 6)
    assert (await service.tag(paper.id, ["B", "a", ""])).tags == ["a", "b"]
    assert [(t.name, t.papers) for t in await service.list_tags()] == [("a", 1), ("b", 1)]
    await service.remove_paper(paper.id)
    assert await service.db.list_authors() == []


async def test_notes_highlights_collections_and_citations(service: LibraryService) -> None:
    a = await service.add_paper("A", year=2000)
    b = await service.add_paper("B", year=2010)
    await service.add_note(a.id, "what about B?", kind=NoteKind.QUESTION, page=2)
    assert [n.kind for n in await service.notes(a.id)] == [NoteKind.QUESTION]
    assert (await service.add_highlight(a.id, "key sentence", page=1)).color == "yellow"
    await service.create_collection(" Thesis ", "chapter 2")
    assert await service.add_to_collection("thesis", b.id) == 0
    assert [p.title for p in await service.list_papers(collection="Thesis")] == ["B"]
    assert [p.title for p in await service.list_papers(tag=None, order="year")] == ["B", "A"]
    await service.cite(b.id, a.id, "extends")
    assert [p.title for p in await service.search("question B")] == []
    assert [p.title for p in await service.search("what about")] == ["A"]
    with pytest.raises(DatabaseError):
        await service.create_collection("thesis")


async def test_the_queue_prefers_started_then_priority_then_cited(service: LibraryService, clock: FixedClock) -> None:
    low = await service.add_paper("Low", priority=1)
    high = await service.add_paper("High", priority=5)
    cited = await service.add_paper("Cited", priority=1)
    started = await service.add_paper("Started", priority=1)
    await service.cite(low.id, cited.id)
    await service.set_status(started.id, ReadingStatus.READING)
    done = await service.add_paper("Done", priority=5)
    await service.set_status(done.id, ReadingStatus.READ)
    clock.advance(days=60)
    assert [p.title for p, _ in await service.queue()] == ["Started", "High", "Cited", "Low"]


async def test_the_plan_fills_the_daily_budget(service: LibraryService) -> None:
    long = await service.add_paper("Long", priority=5, pages=40)
    short = await service.add_paper("Short", priority=4, pages=2)
    await service.add_paper("Unknown length", priority=3)
    plan = await service.plan_today()
    assert [(p.paper.title, p.minutes, p.pages_left) for p in plan] == [("Long", 45, 40)]
    plan = await service.plan_today(minutes=200)
    assert [(p.paper.title, p.minutes) for p in plan] == [
        ("Long", 160), ("Short", 8), ("Unknown length", 32),
    ]
    assert ReadingPlanner.estimate(short) == (8, 2)
    assert ReadingPlanner.estimate(long.model_copy(update={"pages": None}))[0] == UNKNOWN_LENGTH_MINUTES


async def test_stats(service: LibraryService) -> None:
    paper = await service.add_paper("P", pages=3)
    await service.log_session(paper.id, 30, pages_to=3)
    stats = await service.stats()
    assert stats["papers"] == 1
    assert stats["by_status"] == {"to_read": 0, "reading": 0, "read": 1, "abandoned": 0}
    assert stats["minutes_this_week"] == 30 and stats["streak_days"] == 1


async def test_the_application_wires_the_same_collaborators(db: PaperDatabase) -> None:
    service = build_service(db, Settings(half_life_days=10, daily_reading_minutes=20))
    assert isinstance(service.clock, Clock)
    assert service.ranker.half_life_days == 10 and service.ranker.db is db
    assert service.planner.daily_minutes == 20 and service.planner.clock is service.clock
    with pytest.raises(ValueError):
        Ranker(db, service.clock, half_life_days=0)
    assert abs((service.clock.now() - Clock().now()) / timedelta(seconds=1)) < 5


def test_settings_come_from_the_environment(tmp_path: object) -> None:
    settings = Settings.from_env({"PAPERTRAIL_DB": "~/elsewhere.db", "PAPERTRAIL_LOG_LEVEL": "debug",
                                  "PAPERTRAIL_HALF_LIFE_DAYS": "7", "PAPERTRAIL_DAILY_MINUTES": "15"})
    assert settings.db_path.name == "elsewhere.db" and settings.log_level == "DEBUG"
    assert (settings.half_life_days, settings.daily_reading_minutes) == (7.0, 15)
    assert Settings.from_env({}).db_path.parts[-2:] == (".papertrail", "papertrail.db")
