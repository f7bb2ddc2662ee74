"""The recipe routes."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from recipebox.api.dependencies import get_recipe_service
from recipebox.api.schemas import RecipeCreate, RecipeOut
from recipebox.services.recipe_service import RecipeService

router = APIRouter(prefix="/recipes", tags=["recipes"])

ServiceDep = Annotated[RecipeService, Depends(get_recipe_service)]


@router.post("", response_model=RecipeOut, status_code=status.HTTP_201_CREATED)
async def create_recipe(body: RecipeCreate, service: ServiceDep) -> RecipeOut:
    recipe = await service.create_recipe(
        title=body.title,
        servings=body.servings,
        difficulty=body.difficulty,
        ingredients=body.ingredients,
    )
    return RecipeOut.model_validate(recipe)


@router.get("", response_model=list[RecipeOut])
async def list_recipes(service: ServiceDep) -> list[RecipeOut]:
    return [RecipeOut.model_validate(r) for r in await service.list_recipes()]


@router.get("/{recipe_id}", response_model=RecipeOut)
async def get_recipe(recipe_id: str, service: ServiceDep) -> RecipeOut:
    recipe = await service.get_recipe(recipe_id)
    if recipe is None:
        raise HTTPException(status_code=404, detail=f"no recipe {recipe_id}")
    return RecipeOut.model_validate(recipe)


@router.delete("/{recipe_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_recipe(recipe_id: str, service: ServiceDep) -> None:
    if not await service.delete_recipe(recipe_id):
        raise HTTPException(status_code=404, detail=f"no recipe {recipe_id}")
