"""The use cases of the recipe box."""

import asyncio

from recipebox.domain.models import Difficulty, Recipe
from recipebox.infrastructure.database import Database


class RecipeService:
    """Adds, reads and removes recipes; sqlite3 calls run in a worker thread, off the event loop."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create_recipe(
        self,
        title: str,
        servings: int = 2,
        difficulty: Difficulty = Difficulty.EASY,
        ingredients: list[str] | None = None,
    ) -> Recipe:
        """Stores a new recipe.

        Args:
            title: Name of the dish.
            servings: How many people it feeds.
            difficulty: How hard it is to cook.
            ingredients: One line per ingredient.
        """
        recipe = Recipe(
            title=title,
            servings=servings,
            difficulty=difficulty,
            ingredients=ingredients or [],
        )
        await asyncio.to_thread(self.db.insert_recipe, recipe)
        return recipe

    async def get_recipe(self, recipe_id: str) -> Recipe | None:
        return await asyncio.to_thread(self.db.get_recipe, recipe_id)

    async def list_recipes(self) -> list[Recipe]:
        return await asyncio.to_thread(self.db.list_recipes)

    async def delete_recipe(self, recipe_id: str) -> bool:
        return await asyncio.to_thread(self.db.delete_recipe, recipe_id)
