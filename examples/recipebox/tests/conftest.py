from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recipebox.api.app import app
from recipebox.api.dependencies import get_recipe_service
from recipebox.infrastructure.database import Database
from recipebox.services.recipe_service import RecipeService


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "recipes.db")


@pytest.fixture
def db(db_path: str) -> Iterator[Database]:
    database = Database(db_path)
    database.connect()
    yield database
    database.close()


@pytest.fixture
def service(db: Database) -> RecipeService:
    return RecipeService(db)


@pytest.fixture
def client(service: RecipeService) -> Iterator[TestClient]:
    app.dependency_overrides[get_recipe_service] = lambda: service
    yield TestClient(app)
    app.dependency_overrides.clear()
