"""The use cases around clips."""
from uuid import UUID

from marginalia.domain.models import Clip, ClipKind
from marginalia.infrastructure.database import ClipDatabase


class ClipService:
    """Saves clips and finds them again."""

    def __init__(self, db: ClipDatabase) -> None:
        self.db = db

    async def add_clip(
        self,
        url: str,
        title: str,
        kind: ClipKind = ClipKind.ARTICLE,
        tags: list[str] | None = None,
    ) -> Clip:
        """Save a page.

        Args:
            url: The page's address.
            title: The page's title.
            kind: What sort of page it is.
            tags: Labels for the clip.
        """
        clip = Clip(url=url, title=title, kind=kind, tags=tags or [])
        await self.db.insert_clip(clip)
        return clip

    async def get_clip(self, clip_id: UUID) -> Clip | None:
        return await self.db.get_clip(clip_id)

    async def list_clips(self, kind: ClipKind | None = None) -> list[Clip]:
        return await self.db.list_clips(kind)
