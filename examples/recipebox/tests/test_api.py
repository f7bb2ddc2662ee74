from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recipebox.api import dependencies
from recipebox.api.app import app


def test_create_then_get_and_list(client: TestClient) -> None:
    response = client.post("/recipes", json={"title": "Tacos", "difficulty": "medium", "ingredients": ["tortillas"]})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["title"] == "Tacos" and created["difficulty"] == "medium" and created["servings"] == 2
    assert client.get(f"/recipes/{created['id']}").json() == created
    assert client.get("/recipes").json() == [created]


def test_invalid_body_is_422(client: TestClient) -> None:
    assert client.post("/recipes", json={"title": ""}).status_code == 422
    assert client.post("/recipes", json={"title": "Soup", "servings": 0}).status_code == 422


def test_unknown_recipe_is_404(client: TestClient) -> None:
    assert client.get("/recipes/nope").status_code == 404
    assert client.delete("/recipes/nope").status_code == 404


def test_delete(client: TestClient) -> None:
    created = client.post("/recipes", json={"title": "Salad"}).json()
    assert client.delete(f"/recipes/{created['id']}").status_code == 204
    assert client.get(f"/recipes/{created['id']}").status_code == 404


def test_the_app_opens_its_database_for_its_lifetime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECIPEBOX_DB", str(tmp_path / "app.db"))
    with TestClient(app) as client:
        assert client.post("/recipes", json={"title": "Pie"}).status_code == 201
        assert len(client.get("/recipes").json()) == 1
    with pytest.raises(RuntimeError, match="not configured"):
        dependencies.get_recipe_service()
