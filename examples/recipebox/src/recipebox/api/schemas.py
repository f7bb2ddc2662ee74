"""What the HTTP API takes and returns (kept apart from the domain model)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from recipebox.domain.models import Difficulty


class RecipeCreate(BaseModel):
    """The body of POST /recipes."""

    title: str = Field(min_length=1, max_length=200)
    servings: int = Field(default=2, ge=1, le=50)
    difficulty: Difficulty = Difficulty.EASY
    ingredients: list[str] = Field(default_factory=list)


class RecipeOut(BaseModel):
    """A recipe as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    servings: int
    difficulty: Difficulty
    ingredients: list[str]
    created_at: datetime
