"""What the tools return: plain JSON data."""
from typing import Any

from marginalia.domain.models import Clip


def clip_to_dict(clip: Clip) -> dict[str, Any]:
    return {
        "id": str(clip.id),
        "url": clip.url,
        "title": clip.title,
        "kind": clip.kind.value,
        "tags": list(clip.tags),
        "created_at": clip.created_at.isoformat(),
    }
