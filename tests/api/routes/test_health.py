"""GET /healthz and GET /readyz (the not-ready case is in test_app.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_the_loaded_model(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "model": {"name": "fake-brightness", "version": "test"},
    }
