"""``/v1/jobs`` with the embedded backend, through the ASGI app, and its webhook."""

from __future__ import annotations

import hashlib
import hmac
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.fakes import GatedClassifier
from api.videos import video_bytes
from support.http_server import http_server


@pytest.fixture
def jobs_client(make_app: Any, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(data_dir=tmp_path / "data", job_workers=2)) as client:
        yield client


def wait(client: TestClient, status_url: str, timeout_s: float = 60) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(status_url).json()
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body
        assert body["status"] in ("queued", "running")
        assert 0.0 <= body["progress"] <= 1.0
        time.sleep(0.05)
    raise AssertionError(f"{status_url} did not finish")


def test_a_video_job_runs_and_its_result_matches_the_sync_route(
    jobs_client: TestClient, tmp_path: Path
) -> None:
    content = video_bytes(tmp_path, people=2)
    response = jobs_client.post(
        "/v1/jobs", files={"file": ("v.mp4", content)}, data={"frames": "4"}
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "queued"
    assert response.headers["location"] == accepted["status_url"] == f"/v1/jobs/{accepted['id']}"
    job = wait(jobs_client, accepted["status_url"])
    assert job["status"] == "succeeded", job
    sync = jobs_client.post("/v1/videos", files={"file": ("v.mp4", content)}, data={"frames": "4"})
    assert job["result"]["persons"] == sync.json()["persons"]
    assert job["progress"] == 1.0
    created = datetime.fromisoformat(job["created_at"])
    assert job["created_at"].endswith("Z")
    assert created.utcoffset() == timedelta(0)
    assert created <= datetime.fromisoformat(job["updated_at"]) <= datetime.now(UTC)


def test_an_image_job_answers_as_the_image_route(jobs_client: TestClient, face_jpeg: bytes) -> None:
    accepted = jobs_client.post("/v1/jobs", files={"file": ("f.jpg", face_jpeg)}).json()
    job = wait(jobs_client, accepted["status_url"])
    assert job["status"] == "succeeded", job
    assert len(job["result"]["faces"]) == 1
    assert job["result"]["image"] == {"width": 512, "height": 512}


def test_a_bad_upload_is_refused_or_fails_with_its_code(
    jobs_client: TestClient, tmp_path: Path
) -> None:
    refused = jobs_client.post("/v1/jobs", files={"file": ("x.mp4", b"no video here")})
    assert refused.status_code == 415
    content = video_bytes(tmp_path, count=10)
    accepted = jobs_client.post("/v1/jobs", files={"file": ("v.mp4", content[:3000])}).json()
    job = wait(jobs_client, accepted["status_url"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "corrupt_media"
    assert job["result"] is None


def test_delete_removes_a_finished_job_and_its_upload(
    jobs_client: TestClient, tmp_path: Path
) -> None:
    accepted = jobs_client.post(
        "/v1/jobs", files={"file": ("v.mp4", video_bytes(tmp_path, count=5))}
    ).json()
    assert wait(jobs_client, accepted["status_url"])["status"] == "succeeded"
    deleted = jobs_client.delete(accepted["status_url"])
    assert deleted.json() == {"id": accepted["id"], "status": "deleted"}
    assert jobs_client.get(accepted["status_url"]).status_code == 404
    assert jobs_client.get("/v1/jobs/../../etc/passwd").status_code == 404
    assert jobs_client.delete("/v1/jobs/0123").status_code == 404


def test_uploads_are_private_and_removed_when_their_job_ends(
    make_app: Any, face_jpeg: bytes, tmp_path: Path
) -> None:
    gate = GatedClassifier()
    data = tmp_path / "data"
    with TestClient(make_app(classifier=gate, data_dir=data, job_workers=1)) as client:
        accepted = client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)}).json()
        assert gate.entered.wait(30)
        upload = data / "uploads" / f"{accepted['id']}.upload"
        # Other local users can read none of it (was 0644, kept until the retention ended).
        assert stat.S_IMODE(upload.stat().st_mode) == 0o600
        assert stat.S_IMODE(upload.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((data / "jobs.sqlite3").stat().st_mode) == 0o600
        gate.release.set()
        assert wait(client, accepted["status_url"])["status"] == "succeeded"
        # The worker records the outcome first, then removes the upload (a worker lost between
        # the two leaves it for the redelivered job): a poll can see the outcome just before.
        deadline = time.monotonic() + 10
        while upload.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not upload.exists()
        assert list(upload.parent.iterdir()) == []


def test_a_failed_job_does_not_reveal_the_upload_path(
    jobs_client: TestClient, tmp_path: Path
) -> None:
    # An MP4 signature and then nothing FFmpeg can read: its error message names the file.
    content = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8
    accepted = jobs_client.post("/v1/jobs", files={"file": ("v.mp4", content)}).json()
    job = wait(jobs_client, accepted["status_url"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "corrupt_media"
    assert str(tmp_path) not in job["error"]["message"]
    assert ".upload" not in job["error"]["message"]
    assert not list((tmp_path / "data" / "uploads").iterdir())


def test_callbacks_need_a_secret_and_a_public_address(
    make_app: Any, jobs_client: TestClient, face_jpeg: bytes, tmp_path: Path
) -> None:
    file = {"file": ("f.jpg", face_jpeg)}
    no_secret = jobs_client.post("/v1/jobs", files=file, data={"callback_url": "https://x.org/"})
    assert no_secret.status_code == 422
    assert "DFD_WEBHOOK_SECRET" in no_secret.json()["error"]["message"]
    with TestClient(make_app(data_dir=tmp_path / "d2", webhook_secret="k")) as client:
        private = client.post("/v1/jobs", files=file, data={"callback_url": "http://127.0.0.1/"})
    assert private.status_code == 422
    assert "private" in private.json()["error"]["message"]


def test_the_webhook_is_signed_and_carries_the_job(
    make_app: Any, face_jpeg: bytes, tmp_path: Path
) -> None:
    received: list[tuple[str, bytes]] = []
    arrived = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-DFD-Signature"], body))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    settings = {"webhook_secret": "k3y", "webhook_allow_private": True}
    app = make_app(data_dir=tmp_path / "d", **settings)
    with http_server(Handler) as receiver, TestClient(app) as client:
        url = f"{receiver}/done"
        accepted = client.post(
            "/v1/jobs", files={"file": ("f.jpg", face_jpeg)}, data={"callback_url": url}
        ).json()
        assert arrived.wait(60)
        job = client.get(accepted["status_url"]).json()
    ((signature, body),) = received
    assert signature == "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert body.startswith(b"{")
    assert job["id"].encode() in body
    assert b'"status":"succeeded"' in body


def test_a_full_queue_turns_new_jobs_away_until_it_drains(
    make_app: Any, face_jpeg: bytes, tmp_path: Path
) -> None:
    gate = GatedClassifier()
    app = make_app(classifier=gate, data_dir=tmp_path / "data", job_workers=1, job_max_queued=2)
    with TestClient(app) as client:
        running = client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)}).json()
        assert gate.entered.wait(30)  # the one worker is busy: the next jobs wait
        waiting = [client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)}) for _ in range(2)]
        assert [r.status_code for r in waiting] == [202, 202]
        refused = client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)})
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "overloaded"
        assert "retry later" in refused.json()["error"]["message"]
        assert refused.headers["Retry-After"]
        # Nothing of the refused upload was kept: only the three accepted jobs' files.
        assert len(list((tmp_path / "data" / "uploads").iterdir())) == 3
        gate.release.set()
        for accepted in [running, *(r.json() for r in waiting)]:
            assert wait(client, accepted["status_url"])["status"] == "succeeded"
        again = client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)})
        assert again.status_code == 202
        assert wait(client, again.json()["status_url"])["status"] == "succeeded"


def test_the_list_answers_summaries_and_the_job_its_result(
    jobs_client: TestClient, tmp_path: Path, face_jpeg: bytes
) -> None:
    explained = {"frames": "8", "explain": "true", "thumbnails": "true"}
    video = jobs_client.post(
        "/v1/jobs", files={"file": ("v.mp4", video_bytes(tmp_path, people=2))}, data=explained
    ).json()
    image = jobs_client.post("/v1/jobs", files={"file": ("f.jpg", face_jpeg)}).json()
    broken = jobs_client.post(
        "/v1/jobs", files={"file": ("x.mp4", video_bytes(tmp_path, count=10)[:3000])}
    ).json()
    jobs = {
        name: wait(jobs_client, accepted["status_url"])
        for name, accepted in (("video", video), ("image", image), ("broken", broken))
    }
    assert [jobs[name]["status"] for name in jobs] == ["succeeded", "succeeded", "failed"]
    assert all(p["explanation"]["heatmap_png_base64"] for p in jobs["video"]["result"]["persons"])

    listed = jobs_client.get("/v1/jobs", params={"limit": 200})
    assert listed.status_code == 200
    items = {item["id"]: item for item in listed.json()["jobs"]}
    assert list(items) == [broken["id"], image["id"], video["id"]]
    for item in items.values():
        assert "result" not in item
        assert item["status_url"] == f"/v1/jobs/{item['id']}"
    # A listed job is a few hundred bytes, whatever its result weighs (the video's: 66 KB).
    whole = jobs_client.get(video["status_url"])
    assert len(whole.content) > 30_000
    assert len(listed.content) < 2_000

    listed_video, listed_image = items[video["id"]], items[image["id"]]
    assert listed_video["kind"] == "video"
    result = whole.json()["result"]
    assert listed_video["summary"] == {
        "verdict": result["verdict"],
        "verdict_reason": result["verdict_reason"],
        "fake_probability": result["fake_probability"],
        "threshold": result["threshold"],
        "faces": 2,
        "model_version": result["model"]["version"],
        "duration_s": result["video"]["duration_s"],
    }
    assert listed_image["kind"] == "image"
    assert listed_image["summary"]["faces"] == 1
    assert listed_image["summary"]["duration_s"] is None
    listed_broken = items[broken["id"]]
    assert listed_broken["summary"] is None
    assert listed_broken["error"] == jobs["broken"]["error"]
    assert whole.json()["kind"] == "video"
