"""Persistence of the reading log."""

from papertrail.infrastructure.database import DatabaseError, PaperDatabase

__all__ = ["DatabaseError", "PaperDatabase"]
