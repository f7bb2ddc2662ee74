"""Domain models: what a recipe is, whatever serves or stores it."""

from datetime import datetime, timezone
from enum import Enum
from uuid import uuid4

from pydantic import BaseModel, Field


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Difficulty(str, Enum):
    """How hard a recipe is to cook."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Cuisine(str, Enum):
    """Where a recipe comes from (not used by any field yet)."""

    ITALIAN = "italian"
    JAPANESE = "japanese"
    MEXICAN = "mexican"
    OTHER = "other"


class Recipe(BaseModel):
    """A recipe in the box."""

    id: str = Field(default_factory=lambda: uuid4().hex)
    title: str = Field(min_length=1, max_length=200, description="Name of the dish")
    servings: int = Field(default=2, ge=1, le=50, description="How many people it feeds")
    difficulty: Difficulty = Field(default=Difficulty.EASY)
    ingredients: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=_now)
