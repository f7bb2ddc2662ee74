"""The FastAPI application: opens the database for its lifetime and serves the routes."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from recipebox.api.dependencies import set_recipe_service
from recipebox.api.routes import router
from recipebox.infrastructure.database import Database
from recipebox.services.recipe_service import RecipeService


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    db = Database(os.environ.get("RECIPEBOX_DB", "recipes.db"))
    db.connect()
    set_recipe_service(RecipeService(db))
    try:
        yield
    finally:
        set_recipe_service(None)
        db.close()


app = FastAPI(title="recipebox", lifespan=lifespan)
app.include_router(router)
