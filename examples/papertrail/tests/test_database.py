"""PaperDatabase on a real SQLite file."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import pytest

from papertrail.config import DEFAULT_DB_PATH
from papertrail.domain.models import (
    Citation,
    Collection,
    Highlight,
    Note,
    NoteKind,
    Paper,
    ReadingSession,
    ReadingStatus,
)
from papertrail.infrastructure.database import SCHEMA_VERSION, DatabaseError, NotFoundError, PaperDatabase

AT = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)


def paper(title: str = "Attention Is All You Need", **fields: object) -> Paper:
    return Paper(**{"title": title, "added_at": AT, **fields})


def test_the_default_database_lives_under_home() -> None:
    assert DEFAULT_DB_PATH == Path.home() / ".papertrail" / "papertrail.db"


async def test_a_fresh_database_has_every_table(db: PaperDatabase) -> None:
    cursor = await db.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {row["name"] for row in await cursor.fetchall()}
    assert {"papers", "authors", "paper_authors", "paper_tags", "notes", "highlights", "collections",
            "collection_items", "reading_sessions", "citations", "meta"} <= tables
    assert await db.schema_version() == SCHEMA_VERSION


async def test_opening_twice_changes_nothing(db_path: Path) -> None:
    first = PaperDatabase(db_path)
    await first.initialize()
    await first.insert_paper(paper())
    await first.close()
    second = PaperDatabase(db_path)
    await second.initialize()
    assert len(await second.list_papers()) == 1
    await second.close()
    await second.close()


async def test_the_folder_of_the_file_is_created(tmp_path: Path) -> None:
    db = PaperDatabase(tmp_path / "nested" / "log.db")
    await db.initialize()
    assert (tmp_path / "nested" / "log.db").exists()
    await db.close()


async def test_an_in_memory_database_works() -> None:
    db = PaperDatabase(Path(":memory:"))
    await db.initialize()
    assert await db.stats() == {t: 0 for t in ("papers", "authors", "notes", "highlights", "collections",
                                               "reading_sessions", "citations")}
    await db.close()


async def test_using_it_before_initialize_is_an_error() -> None:
    with pytest.raises(DatabaseError, match="initialize"):
        _ = PaperDatabase(Path("unused.db")).connection


async def test_a_paper_round_trips_with_authors_and_tags(db: PaperDatabase) -> None:
    stored = paper(doi="10.5555/3295222", year=2017, authors=["Vaswani, Ashish", "Shazeer, Noam"],
                   tags=["nlp", "transformers"], pages=15, abstract="The dominant sequence models ...")
    await db.insert_paper(stored)
    assert await db.get_paper(stored.id) == stored
    assert await db.find_paper_by_doi("10.5555/3295222 ") == stored
    assert await db.find_paper_by_doi("10.1/none") is None
    assert await db.get_paper(uuid4()) is None


async def test_a_duplicate_doi_is_refused(db: PaperDatabase) -> None:
    await db.insert_paper(paper(doi="10.1/x"))
    with pytest.raises(DatabaseError, match="cannot add paper"):
        await db.insert_paper(paper("Other", doi="10.1/x"))
    assert len(await db.list_papers()) == 1


async def test_lists_filter_and_order(db: PaperDatabase) -> None:
    a = paper("B paper", year=2001, priority=5, tags=["x"])
    b = paper("A paper", year=2010, priority=1, tags=["x", "y"], status=ReadingStatus.READ)
    await db.insert_paper(a)
    await db.insert_paper(b)
    assert [p.title for p in await db.list_papers(order="title")] == ["A paper", "B paper"]
    assert [p.title for p in await db.list_papers(order="priority")] == ["B paper", "A paper"]
    assert [p.title for p in await db.list_papers(order="year")] == ["A paper", "B paper"]
    assert [p.title for p in await db.list_papers(tag="y")] == ["A paper"]
    assert [p.title for p in await db.list_papers(status=ReadingStatus.TO_READ)] == ["B paper"]
    assert len(await db.list_papers(limit=1, offset=1)) == 1
    with pytest.raises(DatabaseError, match="unknown order"):
        await db.list_papers(order="random")
    assert await db.count_papers_by_status() == {
        ReadingStatus.TO_READ: 1, ReadingStatus.READING: 0, ReadingStatus.READ: 1, ReadingStatus.ABANDONED: 0,
    }


async def test_search_looks_at_titles_abstracts_authors_and_notes(db: PaperDatabase) -> None:
    p = paper("Deep residual learning", authors=["He, Kaiming"], abstract="Deeper networks are harder to train")
    await db.insert_paper(p)
    await db.insert_note(Note(paper_id=p.id, body="skip connections everywhere", created_at=AT))
    for query in ("residual", "kaiming", "harder train", "skip"):
        assert [x.id for x in await db.search_papers(query)] == [p.id], query
    assert await db.search_papers("residual transformers") == []
    assert await db.search_papers("   ") == []


async def test_updates_and_missing_papers(db: PaperDatabase) -> None:
    p = paper(pages=10)
    await db.insert_paper(p)
    later = AT + timedelta(days=1)
    await db.update_paper_progress(p.id, 4, later)
    await db.rate_paper(p.id, 4, later)
    await db.set_paper_priority(p.id, 5, later)
    await db.set_paper_tags(p.id, ["b", "a"], later)
    await db.update_paper_status(p.id, ReadingStatus.READ, later)
    got = await db.get_paper(p.id)
    assert got is not None
    assert (got.pages_read, got.rating, got.priority, got.tags, got.status) == (4, 4, 5, ["a", "b"], ReadingStatus.READ)
    assert got.finished_at == later and got.updated_at == later
    await db.update_paper_status(p.id, ReadingStatus.READING, later + timedelta(hours=1))
    assert (await db.get_paper(p.id)).finished_at == later  # type: ignore[union-attr]
    missing = uuid4()
    for update in (db.update_paper_progress(missing, 1, AT), db.rate_paper(missing, 1, AT),
                   db.set_paper_priority(missing, 1, AT), db.set_paper_tags(missing, [], AT),
                   db.update_paper_status(missing, ReadingStatus.READ, AT)):
        with pytest.raises(NotFoundError):
            await update
    assert await db.delete_paper(p.id) is True
    assert await db.delete_paper(p.id) is False


async def test_authors_are_shared_between_papers(db: PaperDatabase) -> None:
    await db.insert_paper(paper("One", authors=["Lovelace, Ada"], year=1843))
    await db.insert_paper(paper("Two", authors=["lovelace, ada", "Babbage, Charles"], year=1850))
    authors = await db.list_authors()
    assert [(a.name, n) for a, n in authors] == [("Lovelace, Ada", 2), ("Babbage, Charles", 1)]
    assert [p.title for p in await db.papers_by_author("Lovelace, Ada")] == ["Two", "One"]
    updated = await db.update_author("Babbage, Charles", "Cambridge", "0000-0002-1825-0097")
    assert updated.orcid == "0000-0002-1825-0097"
    with pytest.raises(NotFoundError):
        await db.update_author("Nobody", None, None)
    assert await db.get_author("Nobody") is None
    two = (await db.list_papers(order="title"))[1]
    await db.delete_paper(two.id)
    assert await db.delete_orphan_authors() == 1


async def test_tags_are_counted_and_renamed(db: PaperDatabase) -> None:
    await db.insert_paper(paper("One", tags=["ml", "vision"]))
    await db.insert_paper(paper("Two", tags=["ml", "cv"]))
    assert [(t.name, t.papers) for t in await db.list_tags()] == [("ml", 2), ("cv", 1), ("vision", 1)]
    assert await db.rename_tag("vision", "cv") == 1
    assert [(t.name, t.papers) for t in await db.list_tags()] == [("cv", 2), ("ml", 2)]


async def test_notes(db: PaperDatabase) -> None:
    p = paper()
    await db.insert_paper(p)
    first = Note(paper_id=p.id, body="summary", created_at=AT)
    second = Note(paper_id=p.id, body="why?", kind=NoteKind.QUESTION, page=3, created_at=AT + timedelta(minutes=1))
    await db.insert_note(first)
    await db.insert_note(second)
    await db.pin_note(second.id, True)
    assert [n.body for n in await db.list_notes(p.id)] == ["why?", "summary"]
    assert [n.body for n in await db.list_notes(p.id, NoteKind.QUESTION)] == ["why?"]
    await db.update_note(first.id, "a better summary", AT + timedelta(days=1))
    assert (await db.get_note(first.id)).body == "a better summary"  # type: ignore[union-attr]
    assert await db.delete_note(first.id) is True
    assert await db.get_note(first.id) is None
    with pytest.raises(NotFoundError):
        await db.insert_note(Note(paper_id=uuid4(), body="orphan", created_at=AT))
    with pytest.raises(NotFoundError):
        await db.pin_note(uuid4(), True)


async def test_highlights(db: PaperDatabase) -> None:
    p = paper()
    await db.insert_paper(p)
    loose = Highlight(paper_id=p.id, quote="no page", created_at=AT)
    paged = Highlight(paper_id=p.id, quote="page two", page=2, color="green", created_at=AT)
    await db.insert_highlight(loose)
    await db.insert_highlight(paged)
    assert [h.quote for h in await db.list_highlights(p.id)] == ["page two", "no page"]
    assert await db.delete_highlight(loose.id) is True
    assert await db.delete_highlight(loose.id) is False
    with pytest.raises(NotFoundError):
        await db.insert_highlight(Highlight(paper_id=uuid4(), quote="orphan", created_at=AT))


async def test_collections_keep_their_order(db: PaperDatabase) -> None:
    one, two, three = paper("One"), paper("Two"), paper("Three")
    for p in (one, two, three):
        await db.insert_paper(p)
    reading_group = Collection(name="Reading group", created_at=AT)
    await db.insert_collection(reading_group)
    with pytest.raises(DatabaseError, match="exists already"):
        await db.insert_collection(Collection(name="reading GROUP", created_at=AT))
    assert [await db.add_to_collection(reading_group.id, p.id, AT) for p in (one, two, three, two)] == [0, 1, 2, 1]
    assert await db.remove_from_collection(reading_group.id, two.id) is True
    assert await db.remove_from_collection(reading_group.id, two.id) is False
    assert [p.title for p in await db.collection_papers(reading_group.id)] == ["One", "Three"]
    assert [p.title for p in await db.list_papers(collection_id=reading_group.id, order="title")] == ["One", "Three"]
    assert await db.get_collection("reading group") == reading_group
    assert [(c.name, n) for c, n in await db.list_collections()] == [("Reading group", 2)]
    await db.archive_collection(reading_group.id)
    assert await db.list_collections() == []
    assert len(await db.list_collections(include_archived=True)) == 1
    with pytest.raises(NotFoundError):
        await db.add_to_collection(reading_group.id, uuid4(), AT)
    with pytest.raises(NotFoundError):
        await db.archive_collection(uuid4())


async def test_reading_sessions(db: PaperDatabase) -> None:
    p = paper()
    await db.insert_paper(p)
    for day in (0, 1, 3):
        await db.insert_session(ReadingSession(paper_id=p.id, started_at=AT - timedelta(days=day), minutes=20,
                                               pages_from=1, pages_to=3))
    assert len(await db.list_sessions(paper_id=p.id)) == 3
    assert len(await db.list_sessions(since=AT - timedelta(days=1))) == 2
    assert await db.minutes_read(AT - timedelta(days=2)) == 40
    assert await db.reading_days(AT - timedelta(days=7)) == ["2025-03-14", "2025-03-13", "2025-03-11"]
    assert await db.last_read_at([p.id, uuid4()]) == {p.id: AT}
    assert await db.last_read_at([]) == {}
    with pytest.raises(NotFoundError):
        await db.insert_session(ReadingSession(paper_id=uuid4(), started_at=AT, minutes=5))


async def test_citations(db: PaperDatabase) -> None:
    old, new = paper("Old", year=1990), paper("New", year=2020)
    await db.insert_paper(old)
    await db.insert_paper(new)
    await db.add_citation(Citation(citing_id=new.id, cited_id=old.id))
    await db.add_citation(Citation(citing_id=new.id, cited_id=old.id, context="builds on"))
    assert [p.title for p in await db.citations_of(new.id)] == ["Old"]
    assert [p.title for p in await db.cited_by(old.id)] == ["New"]
    assert await db.citation_counts() == {old.id: 1}
    with pytest.raises(DatabaseError, match="itself"):
        await db.add_citation(Citation(citing_id=old.id, cited_id=old.id))
    with pytest.raises(NotFoundError):
        await db.add_citation(Citation(citing_id=old.id, cited_id=uuid4()))


async def test_maintenance(db: PaperDatabase) -> None:
    assert await db.integrity_check() == []
    assert await db.vacuum_due(AT) is True
    await db.vacuum(AT)
    assert await db.get_meta("last_vacuum") == AT.isoformat()
    assert await db.vacuum_due(AT + timedelta(days=1)) is False
    assert await db.vacuum_due(AT + timedelta(days=31)) is True
    await db.set_meta("schema_version", "1")
    assert await db.schema_version() == 1
    await db.connection.execute("DELETE FROM meta")
    assert await db.schema_version() == 0


async def test_a_snapshot_moves_the_whole_log_to_another_file(db: PaperDatabase, tmp_path: Path) -> None:
    a, b = paper("A", doi="10.1/a", authors=["X"], tags=["t"]), paper("B")
    await db.insert_paper(a)
    await db.insert_paper(b)
    await db.insert_note(Note(paper_id=a.id, body="n", created_at=AT))
    await db.insert_highlight(Highlight(paper_id=a.id, quote="q", created_at=AT))
    await db.insert_session(ReadingSession(paper_id=a.id, started_at=AT, minutes=9))
    group = Collection(name="g", created_at=AT)
    await db.insert_collection(group)
    await db.add_to_collection(group.id, b.id, AT)
    await db.add_citation(Citation(citing_id=b.id, cited_id=a.id, context="c"))
    snapshot = await db.export_snapshot()
    assert '"format": "papertrail-snapshot"' in PaperDatabase.snapshot_to_json(snapshot)

    other = PaperDatabase(tmp_path / "other.db")
    await other.initialize()
    assert await other.import_snapshot(snapshot) == {
        "papers": 2, "notes": 1, "highlights": 1, "sessions": 1, "collections": 1, "citations": 1,
    }
    assert await other.export_snapshot() == snapshot
    again = await other.import_snapshot(snapshot)
    assert again == {"papers": 0, "notes": 0, "highlights": 0, "sessions": 0, "collections": 0, "citations": 1}
    with pytest.raises(DatabaseError, match="not a papertrail snapshot"):
        await other.import_snapshot({"papers": []})
    await other.close()


async def test_a_failed_transaction_leaves_nothing(db: PaperDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
            raise RuntimeError("boom")
    assert await db.get_meta("k") is None


async def test_duplicates_are_found_and_merged(db: PaperDatabase) -> None:
    keep = paper("Deep Residual Learning", authors=[], tags=["cv"])
    drop = paper("deep residual-learning.", doi="10.1109/cvpr.2016.90", year=2016, pages=9,
                 authors=["He, Kaiming"], tags=["resnet"], added_at=AT + timedelta(minutes=1))
    other = paper("Unrelated")
    for p in (keep, drop, other):
        await db.insert_paper(p)
    await db.insert_note(Note(paper_id=drop.id, body="identity shortcuts", created_at=AT))
    group = Collection(name="vision", created_at=AT)
    await db.insert_collection(group)
    await db.add_to_collection(group.id, drop.id, AT)
    await db.add_citation(Citation(citing_id=other.id, cited_id=drop.id))
    await db.add_citation(Citation(citing_id=drop.id, cited_id=keep.id))
    assert [[p.id for p in g] for g in await db.find_duplicates()] == [[keep.id, drop.id]]

    merged = await db.merge_papers(keep.id, drop.id, AT + timedelta(days=1))
    assert (merged.doi, merged.year, merged.pages, merged.authors) == ("10.1109/cvpr.2016.90", 2016, 9, ["He, Kaiming"])
    assert merged.tags == ["cv", "resnet"]
    assert [n.body for n in await db.list_notes(keep.id)] == ["identity shortcuts"]
    assert [p.id for p in await db.collection_papers(group.id)] == [keep.id]
    assert [p.id for p in await db.cited_by(keep.id)] == [other.id]
    assert await db.get_paper(drop.id) is None
    assert await db.find_duplicates() == []
    with pytest.raises(DatabaseError, match="itself"):
        await db.merge_papers(keep.id, keep.id, AT)
    with pytest.raises(NotFoundError):
        await db.merge_papers(keep.id, drop.id, AT)


async def test_a_reading_report_covers_a_period(db: PaperDatabase) -> None:
    p = paper("Read it", pages=5)
    await db.insert_paper(p)
    await db.insert_session(ReadingSession(paper_id=p.id, started_at=AT - timedelta(days=1), minutes=30))
    await db.insert_session(ReadingSession(paper_id=p.id, started_at=AT, minutes=15))
    await db.insert_session(ReadingSession(paper_id=p.id, started_at=AT - timedelta(days=30), minutes=99))
    await db.insert_note(Note(paper_id=p.id, body="n", created_at=AT))
    await db.update_paper_status(p.id, ReadingStatus.READ, AT)
    report = await db.reading_report(AT - timedelta(days=7), AT + timedelta(days=1))
    assert report == {
        "minutes_per_day": {"2025-03-13": 30, "2025-03-14": 15},
        "minutes": 45,
        "finished": ["Read it"],
        "notes": 1,
        "highlights": 0,
    }
