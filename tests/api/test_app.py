"""The app factory: nothing at import, its own settings, the real model loaded in the lifespan,
not ready (503) while the model is missing, routers as a list."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api.images import encode, one_face
from deepfake_detection.api.app import ROUTERS, create_app
from deepfake_detection.config import Settings
from deepfake_detection.detectors.base import FaceDetector
from support.tiny_model import write_tiny_model


@pytest.mark.slow  # a fresh interpreter
def test_importing_the_app_loads_no_model() -> None:
    code = (
        "import sys, deepfake_detection.api.app as a; "
        "print(sorted(m for m in ('onnxruntime', 'torch', 'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_lifespan_loads_the_model_the_settings_name(
    tmp_path: Path, detectors: dict[str, FaceDetector]
) -> None:
    app = create_app(Settings(model_card=write_tiny_model(tmp_path)), detectors=detectors)
    with TestClient(app) as client:
        ready = client.get("/readyz")
        models = client.get("/v1/models").json()["models"]
        image = client.post("/v1/images", files={"file": ("f.png", encode(one_face(), "PNG"))})

    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "model": {"name": "tiny", "version": "1.2.3"}}
    assert models[0]["threshold"] == 0.4
    assert image.status_code == 200, image.text
    assert image.json()["model"] == {"name": "tiny", "version": "1.2.3"}
    assert image.json()["threshold"] == 0.4


def test_missing_model_means_alive_but_not_ready(
    tmp_path: Path, detectors: dict[str, FaceDetector], face_jpeg: bytes
) -> None:
    app = create_app(Settings(model_card=tmp_path / "absent.json"), detectors=detectors)
    with TestClient(app) as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")
        analysis = client.post("/v1/images", files={"file": ("f.jpg", face_jpeg)})
        models = client.get("/v1/models")

    assert health.status_code == 200
    for response in (ready, analysis, models):
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "model_unavailable"
        assert "absent.json" in response.json()["error"]["message"]
        assert response.headers["retry-after"] == "1"


def test_an_app_mounts_the_routers_it_is_given() -> None:
    extra = APIRouter()

    @extra.get("/v1/extra")
    async def extra_route() -> dict[str, str]:
        return {"extra": "yes"}

    app = create_app(Settings(), routers=(*ROUTERS, extra))
    assert {"/v1/images", "/detect_deepfake_image", "/v1/extra"} <= set(app.openapi()["paths"])
    assert TestClient(app).get("/v1/extra").json() == {"extra": "yes"}


def test_openapi_documents_both_upload_forms(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/v1/images"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    assert "file" in body["multipart/form-data"]["schema"]["required"]
    assert client.get("/docs").status_code == 200


def test_two_apps_keep_their_own_settings(make_app: object) -> None:
    assert callable(make_app)
    first: FastAPI = make_app(detector="ssd")
    second: FastAPI = make_app(detector="centerface")
    assert first.state.settings.detector == "ssd"
    assert second.state.settings.detector == "centerface"


class _Messages(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.getMessage()}")


@pytest.fixture
def app_log() -> Iterator[list[str]]:
    handler = _Messages()
    logger = logging.getLogger("deepfake_detection.api.app")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def test_the_service_warns_of_an_old_dfd_data_at_start(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    detectors: dict[str, FaceDetector],
    app_log: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dfd-data").mkdir()
    (tmp_path / "dfd-data" / "jobs.sqlite3").touch()
    settings = Settings(model_card=tmp_path / "absent.json", data_dir=tmp_path / "data")
    with TestClient(create_app(settings, detectors=detectors)):
        pass

    warnings = [m for m in app_log if m.startswith("WARNING")]
    assert len(warnings) == 1
    assert f"the data directory is {tmp_path.resolve() / 'data'}" in warnings[0]
    assert f"DFD_DATA_DIR={tmp_path.resolve() / 'dfd-data'}" in warnings[0]


def test_a_trailing_slash_is_404_and_never_reflects_the_host(client: TestClient) -> None:
    for path in ("/v1/jobs/", "/healthz/", "/v1/images/", "/docs/"):
        response = client.get(path, headers={"Host": "127.0.0.9:4444"}, follow_redirects=False)
        assert response.status_code == 404, path
        assert "location" not in response.headers
        assert "127.0.0.9" not in response.text
    assert client.get("/healthz", follow_redirects=False).status_code == 200
