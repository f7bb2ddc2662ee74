"""Domain models of the reading log."""

from papertrail.domain.models import (
    Author,
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

__all__ = [
    "Author",
    "Citation",
    "Collection",
    "Highlight",
    "Note",
    "NoteKind",
    "Paper",
    "ReadingSession",
    "ReadingStatus",
    "Tag",
]
