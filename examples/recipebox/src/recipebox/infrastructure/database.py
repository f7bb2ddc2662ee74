"""SQLite storage of recipes through the standard library's sqlite3."""

import json
import logging
import sqlite3
from datetime import datetime

from recipebox.domain.models import Difficulty, Recipe

logger = logging.getLogger(__name__)


class Database:
    """One SQLite file (or `:memory:`); the connection is shared by the API's worker threads."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    def connect(self) -> None:
        # FastAPI runs sync work in a thread pool: the connection crosses threads, one call at a time.
        self.conn = sqlite3.connect(self.path, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self._create_tables()
        self._run_migrations()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            raise RuntimeError("the database is not connected: call connect() first")
        return self.conn

    def _create_tables(self) -> None:
        conn = self._connection()
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS recipes (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                servings INTEGER NOT NULL DEFAULT 2,
                difficulty TEXT NOT NULL DEFAULT 'easy',
                ingredients TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL
            )
            """
        )
        conn.commit()

    def _run_migrations(self) -> None:
        conn = self._connection()
        columns = [row[1] for row in conn.execute("PRAGMA table_info(recipes)").fetchall()]
        if "ingredients" not in columns:
            logger.info("adding recipes.ingredients")
            conn.execute("ALTER TABLE recipes ADD COLUMN ingredients TEXT NOT NULL DEFAULT '[]'")
            conn.commit()

    def insert_recipe(self, recipe: Recipe) -> None:
        conn = self._connection()
        conn.execute(
            "INSERT INTO recipes (id, title, servings, difficulty, ingredients, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                recipe.id,
                recipe.title,
                recipe.servings,
                recipe.difficulty.value,
                json.dumps(recipe.ingredients),
                recipe.created_at.isoformat(),
            ),
        )
        conn.commit()

    def get_recipe(self, recipe_id: str) -> Recipe | None:
        row = self._connection().execute("SELECT * FROM recipes WHERE id = ?", (recipe_id,)).fetchone()
        return self._row_to_recipe(row) if row else None

    def list_recipes(self) -> list[Recipe]:
        rows = self._connection().execute("SELECT * FROM recipes ORDER BY created_at").fetchall()
        return [self._row_to_recipe(row) for row in rows]

    def delete_recipe(self, recipe_id: str) -> bool:
        conn = self._connection()
        cursor = conn.execute("DELETE FROM recipes WHERE id = ?", (recipe_id,))
        conn.commit()
        return cursor.rowcount > 0

    def _row_to_recipe(self, row: sqlite3.Row) -> Recipe:
        return Recipe(
            id=row["id"],
            title=row["title"],
            servings=row["servings"],
            difficulty=Difficulty(row["difficulty"]),
            ingredients=json.loads(row["ingredients"]),
            created_at=datetime.fromisoformat(row["created_at"]),
        )
