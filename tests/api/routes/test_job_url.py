"""``POST /v1/jobs`` with ``url`` instead of ``file``: downloaded under the upload limits, refused
with ``fetch_failed`` or ``too_large``, private addresses only when the operator allows them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.conftest import AppFactory
from jobs.origin import FACE, media_origin
from jobs.test_urls import BAD_URLS


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with media_origin() as url:
        yield url


def test_a_job_by_url(make_app: AppFactory, origin: str, tmp_path: Path) -> None:
    app = make_app(
        data_dir=tmp_path, fetch_allow_private=True, max_upload_bytes=4000, video_max_bytes=4000
    )
    with TestClient(app) as client:
        accepted = client.post("/v1/jobs", data={"url": f"{origin}/face.jpg", "detector": "ssd"})
        # The face is larger than the 4000-byte limit of this app.
        assert accepted.status_code == 413, accepted.text
        assert accepted.json()["error"]["code"] == "too_large"
        missing = client.post("/v1/jobs", data={"url": f"{origin}/missing"})
        assert missing.status_code == 400
        assert missing.json()["error"]["code"] == "fetch_failed"
        both = client.post(
            "/v1/jobs", data={"url": f"{origin}/face.jpg"}, files={"file": ("a.jpg", FACE)}
        )
        assert both.status_code == 400
    assert not list((tmp_path / "uploads").glob("*"))

    app = make_app(data_dir=tmp_path / "2", fetch_allow_private=True)
    with TestClient(app) as client:
        accepted = client.post("/v1/jobs", data={"url": f"{origin}/face.jpg", "detector": "ssd"})
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.json()["status_url"]
        deadline = time.monotonic() + 30
        while (job := client.get(status_url).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert job["status"] == "succeeded"
        assert len(job["result"]["faces"]) == 1

    refused = make_app(data_dir=tmp_path / "3")
    with TestClient(refused) as client:
        answer = client.post("/v1/jobs", data={"url": f"{origin}/face.jpg"})
        assert answer.status_code == 400
        assert "DFD_FETCH_ALLOW_PRIVATE" in answer.json()["error"]["message"]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_malformed_url_or_callback_url_is_422_naming_it(
    make_app: AppFactory, tmp_path: Path, encoding: str
) -> None:
    # Private addresses allowed: only the grammar refuses these (all IP literals, nothing resolved).
    app = make_app(
        data_dir=tmp_path,
        fetch_allow_private=True,
        webhook_secret="s3cret",
        webhook_allow_private=True,
    )
    with TestClient(app) as client:
        for url in BAD_URLS:
            for field, fields in (
                ("url", {"url": url}),
                ("callback_url", {"url": "http://127.0.0.1:9/a.jpg", "callback_url": url}),
            ):
                if encoding == "urlencoded":  # %00 and the rest arrive decoded
                    answer = client.post("/v1/jobs", data=fields)
                else:
                    multipart = {name: (None, value) for name, value in fields.items()}
                    answer = client.post("/v1/jobs", files=multipart)
                assert answer.status_code == 422, (field, url[:40], answer.text)
                assert answer.json()["error"]["code"] == "invalid_options"
                assert answer.json()["error"]["message"].startswith(f"{field} ")
    assert not list((tmp_path / "uploads").glob("*"))
