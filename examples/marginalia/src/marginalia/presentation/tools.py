"""The FastMCP tools: each signature is the tool's input schema."""
from typing import Annotated, Any
from uuid import UUID

from mcp.server.fastmcp import FastMCP
from pydantic import Field

from marginalia.domain.models import ClipKind
from marginalia.presentation.serializers import clip_to_dict
from marginalia.services.clip_service import ClipService


def register_clip_tools(mcp: FastMCP, service: ClipService) -> None:
    """Adds the clip tools to `mcp`, each calling `service`."""

    @mcp.tool()
    async def clip_add(
        url: Annotated[str, Field(min_length=1, max_length=2048, description="The page's address")],
        title: Annotated[str, Field(min_length=1, max_length=300, description="The page's title")],
        kind: Annotated[ClipKind, Field(description="What sort of page it is")] = ClipKind.ARTICLE,
        tags: Annotated[list[str] | None, Field(description="Labels for the clip")] = None,
    ) -> dict[str, Any]:
        """Save a page for later.

        Args:
            url: The page's address.
            title: The page's title.
            kind: What sort of page it is.
            tags: Labels for the clip.
        """
        clip = await service.add_clip(url=url, title=title, kind=kind, tags=tags)
        return clip_to_dict(clip)

    @mcp.tool(name="clip_get")
    async def get_clip(
        clip_id: Annotated[str, Field(description="The clip's id, as clip_add returned it")],
    ) -> dict[str, Any]:
        """Read one clip back."""
        clip = await service.get_clip(UUID(clip_id))
        if clip is None:
            return {"error": f"no clip {clip_id}"}
        return clip_to_dict(clip)

    @mcp.tool()
    async def clip_list(
        kind: Annotated[ClipKind | None, Field(description="Only clips of this sort")] = None,
    ) -> dict[str, Any]:
        """List the saved clips, oldest first."""
        return {"clips": [clip_to_dict(c) for c in await service.list_clips(kind)]}

    @mcp.tool()
    def clip_kinds() -> list[str]:
        """The sorts of page a clip can be."""
        return [k.value for k in ClipKind]
