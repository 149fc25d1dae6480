"""What stands in front of the routes, in one process: keys off by default, /metrics behind a key
only when asked, request ids."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.conftest import AppFactory
from deepfake_detection.api.middleware.auth import is_open
from deepfake_detection.keys.sqlite_store import SqliteKeyStore


def test_without_keys_nothing_asks_for_one(make_app: AppFactory, tmp_path: Path) -> None:
    with TestClient(make_app(data_dir=tmp_path)) as client:
        assert client.get("/v1/jobs").status_code == 200
        assert client.get("/v1/detectors").status_code == 200
        assert "RateLimit-Limit" not in client.get("/v1/detectors").headers


def test_metrics_behind_a_key_when_asked(make_app: AppFactory, tmp_path: Path) -> None:
    _, secret = SqliteKeyStore(tmp_path / "keys.sqlite3").create("prometheus")
    app = make_app(data_dir=tmp_path, auth="keys", metrics_auth=True)
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"X-API-Key": secret}).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_request_ids_are_kept_when_sane_and_replaced_otherwise(
    make_app: AppFactory, tmp_path: Path
) -> None:
    with TestClient(make_app(data_dir=tmp_path)) as client:
        kept = client.get("/healthz", headers={"X-Request-ID": "abc-123.x:y"})
        assert kept.headers["X-Request-ID"] == "abc-123.x:y"
        bad = client.get("/healthz", headers={"X-Request-ID": "two words\x7f" + "x" * 200})
        assert bad.headers["X-Request-ID"] != "two words"
        assert len(bad.headers["X-Request-ID"]) == 32


def test_only_single_files_under_the_open_folders_are_open() -> None:
    assert is_open("/ui/app.js", metrics_open=False)
    assert is_open("/docs/assets/swagger-ui.css", metrics_open=False)
    for path in ("/ui/../v1/jobs", "/ui/a/b", "/docs/assets/../../v1/jobs", "/ui", "/v1/jobs"):
        assert not is_open(path, metrics_open=False), path
    assert is_open("/metrics", metrics_open=True)
    assert not is_open("/metrics", metrics_open=False)
