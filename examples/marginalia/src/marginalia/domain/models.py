"""Domain model: a web clip saved for later."""
from datetime import datetime, timezone
from enum import Enum
from uuid import UUID, uuid4

from pydantic import BaseModel, Field


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ClipKind(str, Enum):
    """What sort of page a clip is."""

    ARTICLE = "article"
    VIDEO = "video"
    PAPER = "paper"


class ClipStatus(str, Enum):
    """How far the reading of a clip got."""

    UNREAD = "unread"
    READING = "reading"
    DONE = "done"


class Clip(BaseModel):
    """A page saved for later."""

    id: UUID = Field(default_factory=uuid4)
    url: str = Field(min_length=1, max_length=2048, description="The page's address")
    title: str = Field(min_length=1, max_length=300, description="The page's title")
    kind: ClipKind = Field(default=ClipKind.ARTICLE, description="What sort of page it is")
    tags: list[str] = Field(default_factory=list, description="Labels for the clip")
    created_at: datetime = Field(default_factory=_now)
