import sqlite3

import pytest

from recipebox.domain.models import Difficulty, Recipe
from recipebox.infrastructure.database import Database


def test_insert_and_read_back(db: Database) -> None:
    recipe = Recipe(title="Carbonara", servings=4, difficulty=Difficulty.MEDIUM, ingredients=["eggs", "pecorino"])
    db.insert_recipe(recipe)
    assert db.get_recipe(recipe.id) == recipe
    assert db.list_recipes() == [recipe]


def test_missing_recipe_is_none(db: Database) -> None:
    assert db.get_recipe("nope") is None


def test_delete(db: Database) -> None:
    recipe = Recipe(title="Toast")
    db.insert_recipe(recipe)
    assert db.delete_recipe(recipe.id) is True
    assert db.delete_recipe(recipe.id) is False


def test_an_old_database_gains_the_ingredients_column(db_path: str) -> None:
    old = sqlite3.connect(db_path)
    old.execute(
        "CREATE TABLE recipes (id TEXT PRIMARY KEY, title TEXT NOT NULL, servings INTEGER NOT NULL DEFAULT 2,"
        " difficulty TEXT NOT NULL DEFAULT 'easy', created_at TEXT NOT NULL)"
    )
    old.execute("INSERT INTO recipes VALUES ('r1', 'Soup', 2, 'easy', '2024-01-02T03:04:05+00:00')")
    old.commit()
    old.close()
    db = Database(db_path)
    db.connect()
    try:
        recipe = db.get_recipe("r1")
        assert recipe is not None and recipe.ingredients == []
    finally:
        db.close()


def test_unconnected_database_says_so(db_path: str) -> None:
    with pytest.raises(RuntimeError, match="not connected"):
        Database(db_path).list_recipes()
