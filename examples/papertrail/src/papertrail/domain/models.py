"""Pydantic models of papers and everything a reader attaches to them."""

from datetime import datetime, timezone
from enum import Enum
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ReadingStatus(str, Enum):
    """Where a paper is in the reader's queue."""

    TO_READ = "to_read"
    READING = "reading"
    READ = "read"
    ABANDONED = "abandoned"


class NoteKind(str, Enum):
    """What a note is for."""

    SUMMARY = "summary"
    QUESTION = "question"
    CRITIQUE = "critique"
    IDEA = "idea"


class Author(BaseModel):
    """A person who wrote papers in the log."""

    id: UUID = Field(default_factory=uuid4)
    name: str = Field(..., min_length=1, max_length=200)
    affiliation: str | None = Field(None, max_length=200)
    orcid: str | None = Field(None, pattern=r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
    created_at: datetime = Field(default_factory=_now)

    model_config = ConfigDict(use_enum_values=False)


class Paper(BaseModel):
    """A paper in the reading log."""

    # Identity
    id: UUID = Field(default_factory=uuid4)
    title: str = Field(..., min_length=1, max_length=500)
    doi: str | None = Field(None, max_length=200, description="Digital Object Identifier")
    url: str | None = Field(None, max_length=2000)

    # Publication
    year: int | None = Field(None, ge=1600, le=2100)
    abstract: str | None = Field(None, max_length=20000)
    authors: list[str] = Field(default_factory=list, description="Author names, in byline order")

    # Reading
    status: ReadingStatus = ReadingStatus.TO_READ
    priority: int = Field(3, ge=1, le=5, description="1 (someday) to 5 (now)")
    rating: int | None = Field(None, ge=1, le=5)
    pages: int | None = Field(None, ge=1)
    pages_read: int = Field(0, ge=0)
    tags: list[str] = Field(default_factory=list)

    # Bookkeeping
    added_at: datetime = Field(default_factory=_now)
    updated_at: datetime | None = None
    finished_at: datetime | None = None

    model_config = ConfigDict(use_enum_values=False)


class Note(BaseModel):
    """A free-text note on a paper."""

    id: UUID = Field(default_factory=uuid4)
    paper_id: UUID
    kind: NoteKind = NoteKind.SUMMARY
    body: str = Field(..., min_length=1, max_length=50000)
    page: int | None = Field(None, ge=1)
    pinned: bool = False
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime | None = None


class Highlight(BaseModel):
    """A passage the reader marked."""

    id: UUID = Field(default_factory=uuid4)
    paper_id: UUID
    quote: str = Field(..., min_length=1, max_length=5000)
    page: int | None = Field(None, ge=1)
    color: str = Field("yellow", max_length=20)
    created_at: datetime = Field(default_factory=_now)


class Collection(BaseModel):
    """A named reading list."""

    id: UUID = Field(default_factory=uuid4)
    name: str = Field(..., min_length=1, max_length=100)
    description: str | None = Field(None, max_length=1000)
    created_at: datetime = Field(default_factory=_now)
    archived: bool = False


class ReadingSession(BaseModel):
    """Time spent reading one paper."""

    id: UUID = Field(default_factory=uuid4)
    paper_id: UUID
    started_at: datetime
    minutes: int = Field(..., ge=1, le=24 * 60)
    pages_from: int | None = Field(None, ge=1)
    pages_to: int | None = Field(None, ge=1)


class Citation(BaseModel):
    """One paper citing another, both in the log."""

    citing_id: UUID
    cited_id: UUID
    context: str | None = Field(None, max_length=2000)


class Tag(BaseModel):
    """A tag and how many papers carry it."""

    name: str = Field(..., min_length=1, max_length=50)
    papers: int = 0
