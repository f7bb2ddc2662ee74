"""Domain models."""
from datetime import datetime, timezone
from uuid import uuid4

from pydantic import BaseModel, Field


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Bookmark(BaseModel):
    """A saved link."""

    id: str = Field(default_factory=lambda: uuid4().hex)
    url: str = Field(min_length=1, max_length=2048)
    title: str = Field(min_length=1, max_length=200)
    tags: list[str] = Field(default_factory=list)
    archived: bool = False
    created_at: datetime = Field(default_factory=_now)
