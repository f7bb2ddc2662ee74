"""The service the routes use, set once by the application (and replaced by tests)."""

from recipebox.services.recipe_service import RecipeService

_service: RecipeService | None = None


def set_recipe_service(service: RecipeService | None) -> None:
    global _service
    _service = service


def get_recipe_service() -> RecipeService:
    if _service is None:
        raise RuntimeError("the recipe service is not configured: the app's lifespan sets it")
    return _service
