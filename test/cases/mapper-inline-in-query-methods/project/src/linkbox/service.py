"""Application service."""
from linkbox.db import LinkDB
from linkbox.models import Bookmark


class LinkService:
    """Use cases around bookmarks."""

    def __init__(self, db: LinkDB) -> None:
        self.db = db

    async def add_bookmark(self, url: str, title: str, tags: list[str] | None = None) -> Bookmark:
        bookmark = Bookmark(url=url, title=title, tags=tags or [])
        await self.db.insert_bookmark(bookmark)
        return bookmark

    async def get_bookmark(self, bookmark_id: str) -> Bookmark | None:
        return await self.db.get_bookmark(bookmark_id)

    async def list_bookmarks(self) -> list[Bookmark]:
        return await self.db.list_bookmarks()
