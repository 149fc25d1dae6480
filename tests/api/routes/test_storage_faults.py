"""A full disk through the app (issue 22 S13): uploads that cannot be stored, a job store that
cannot be written and a full temporary folder answer 507 ``insufficient_storage``, never 500, and
``/readyz`` says not ready while jobs cannot progress."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.tiny_volume import fill, tiny_volume


def test_readyz_is_503_while_the_data_volume_is_under_its_floor(
    make_app: Any, tmp_path: Path
) -> None:
    app = make_app(data_dir=tmp_path / "data", data_min_free_bytes=2**62)
    with TestClient(app) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "jobs_unavailable"
        assert "DFD_DATA_MIN_FREE_BYTES" in error["message"]
        assert client.get("/healthz").status_code == 200
    with TestClient(make_app(data_dir=tmp_path / "data")) as client:
        assert client.get("/readyz").status_code == 200


def test_a_job_on_a_full_data_volume_is_507(
    make_app: Any, tmp_path: Path, face_jpeg: bytes
) -> None:
    with tiny_volume(tmp_path / "data", size_kb=256) as volume:
        app = make_app(data_dir=volume, data_min_free_bytes=0)
        with TestClient(app, raise_server_exceptions=False) as client:
            ballast = fill(volume)
            response = client.post("/v1/jobs", files={"file": ("face.jpg", face_jpeg)})
            assert response.status_code == 507, response.text
            assert response.json()["error"]["code"] == "insufficient_storage"
            assert "storage is full" in response.json()["error"]["message"]
            assert client.get("/v1/jobs").status_code in (200, 507)
            ballast.unlink()
            response = client.post("/v1/jobs", files={"file": ("face.jpg", face_jpeg)})
            assert response.status_code == 202, response.text


def test_a_full_temporary_folder_is_507_for_a_large_upload(
    make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tiny_volume(tmp_path / "tmp", size_kb=256) as volume:
        monkeypatch.setattr(tempfile, "tempdir", str(volume))
        fill(volume)
        # Over the 1 MiB the form parser keeps in memory: it spools to the temporary folder.
        body = b"\xff\xd8" + bytes(2 * 1024 * 1024)
        with TestClient(make_app(), raise_server_exceptions=False) as client:
            response = client.post("/v1/images", files={"file": ("big.jpg", body)})
        assert response.status_code == 507, response.text
        assert response.json()["error"]["code"] == "insufficient_storage"
