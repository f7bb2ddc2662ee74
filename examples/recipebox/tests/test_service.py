from recipebox.domain.models import Difficulty
from recipebox.services.recipe_service import RecipeService


async def test_create_get_list_delete(service: RecipeService) -> None:
    recipe = await service.create_recipe("Ramen", servings=1, difficulty=Difficulty.HARD, ingredients=["noodles"])
    assert await service.get_recipe(recipe.id) == recipe
    assert await service.list_recipes() == [recipe]
    assert await service.delete_recipe(recipe.id) is True
    assert await service.get_recipe(recipe.id) is None


async def test_defaults(service: RecipeService) -> None:
    recipe = await service.create_recipe("Tea")
    assert (recipe.servings, recipe.difficulty, recipe.ingredients) == (2, Difficulty.EASY, [])
