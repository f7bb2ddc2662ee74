from uuid import uuid4

from marginalia.domain.models import ClipKind
from marginalia.services.clip_service import ClipService


async def test_add_and_get(service: ClipService) -> None:
    saved = await service.add_clip("https://example.org", "Example", ClipKind.VIDEO, ["x"])
    assert await service.get_clip(saved.id) == saved


async def test_get_unknown_is_none(service: ClipService) -> None:
    assert await service.get_clip(uuid4()) is None


async def test_list_by_kind(service: ClipService) -> None:
    await service.add_clip("https://a.example", "A")
    paper = await service.add_clip("https://b.example", "B", ClipKind.PAPER)
    assert [c.id for c in await service.list_clips(ClipKind.PAPER)] == [paper.id]
    assert len(await service.list_clips()) == 2
