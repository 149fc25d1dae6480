"""``GET /v1/jobs/{id}/annotated``: the job's upload with its answer drawn (PNG or H.264 MP4)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.fakes import GatedClassifier
from api.routes.test_jobs import wait
from api.videos import video_bytes
from deepfake_detection.analysis.annotate import COLOURS
from deepfake_detection.keys.sqlite_store import SqliteKeyStore
from deepfake_detection.runtime.models import Models
from deepfake_detection.testing.fuzzing.bombs import frame_png, png_video


@pytest.fixture
def jobs_client(make_app: Any, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(data_dir=tmp_path / "data")) as client:
        yield client


def finished_job(client: TestClient, name: str, content: bytes, **fields: str) -> Any:
    accepted = client.post("/v1/jobs", files={"file": (name, content)}, data=fields).json()
    job = wait(client, accepted["status_url"])
    assert job["status"] == "succeeded", job
    return job


def test_an_image_job_gives_a_png_with_the_boxes(jobs_client: TestClient, face_jpeg: bytes) -> None:
    job = finished_job(jobs_client, "a.jpg", face_jpeg, annotate="true")
    response = jobs_client.get(f"/v1/jobs/{job['id']}/annotated")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    picture = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
    assert picture.shape[:2] == (job["result"]["image"]["height"], job["result"]["image"]["width"])
    face = job["result"]["faces"][0]
    box = face["box"]
    middle_y = round((box["y1"] + box["y2"]) / 2)
    assert tuple(picture[middle_y, round(box["x1"]) + 1]) == COLOURS[face["label"]]


def test_a_video_job_gives_an_h264_mp4_with_every_frame(
    jobs_client: TestClient, tmp_path: Path
) -> None:
    content = video_bytes(tmp_path, count=20)
    job = finished_job(jobs_client, "v.mp4", content, frames="4", annotate="true")
    response = jobs_client.get(f"/v1/jobs/{job['id']}/annotated")

    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    path = tmp_path / "annotated.mp4"
    path.write_bytes(response.content)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in container.decode(stream)) == 20
    # Drawn once and kept beside the upload (no temporary file left): asking again re-encodes
    # nothing; deleting the job removes both.
    uploads = tmp_path / "data" / "uploads"
    kept = uploads / f"{job['id']}.annotated.mp4"
    assert sorted(p.name for p in uploads.iterdir()) == [kept.name, f"{job['id']}.upload"]
    drawn_at = kept.stat().st_mtime_ns
    again = jobs_client.get(f"/v1/jobs/{job['id']}/annotated")
    assert again.content == response.content
    assert kept.stat().st_mtime_ns == drawn_at
    assert jobs_client.delete(f"/v1/jobs/{job['id']}").status_code in (200, 204)
    assert list(uploads.iterdir()) == []


def test_drawing_a_video_past_its_time_limit_is_413_and_leaves_nothing(
    make_app: Any, tmp_path: Path
) -> None:
    app = make_app(data_dir=tmp_path / "data", annotate_timeout_s=1e-6)
    with TestClient(app) as client:
        content = video_bytes(tmp_path, count=20)
        job = finished_job(client, "v.mp4", content, frames="4", annotate="true")
        response = client.get(f"/v1/jobs/{job['id']}/annotated")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    # The limit bounds reading and decoding too: here it passes before the first frame.
    assert "took longer than" in response.json()["error"]["message"]
    # No part file is left; the failure is remembered: asking again answers it at once (issue 22
    # S17: each GET redid a drawing of up to DFD_ANNOTATE_TIMEOUT_S).
    uploads = tmp_path / "data" / "uploads"
    failed = uploads / f"{job['id']}.annotated.mp4.failed"
    assert sorted(p.name for p in uploads.iterdir()) == sorted([f"{job['id']}.upload", failed.name])
    remembered_at = failed.stat().st_mtime_ns
    with TestClient(app) as client:
        again = client.get(f"/v1/jobs/{job['id']}/annotated")
        assert (again.status_code, again.json()) == (413, response.json())
        assert failed.stat().st_mtime_ns == remembered_at
        assert client.delete(f"/v1/jobs/{job['id']}").status_code == 200
    assert list(uploads.iterdir()) == []


def test_a_drawing_holds_no_analysis_slot_and_is_charged(
    make_app: Any, tmp_path: Path, face_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    draw = Models.annotate_video

    def slow_draw(self: Models, *args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(30)
        return draw(self, *args, **kwargs)

    monkeypatch.setattr(Models, "annotate_video", slow_draw)
    data = tmp_path / "data"
    app = make_app(data_dir=data, max_in_flight=1, auth="keys", key_daily_frames=18)
    _, secret = SqliteKeyStore(data / "keys.sqlite3").create("alice")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(app, headers=auth) as client:
        content = video_bytes(tmp_path, count=20)
        first = finished_job(client, "v.mp4", content, frames="4", annotate="true")
        second = finished_job(client, "w.mp4", content, frames="4", annotate="true")
        drawing = threading.Thread(
            target=lambda: client.get(f"/v1/jobs/{first['id']}/annotated"), daemon=True
        )
        drawing.start()
        try:
            assert entered.wait(30)
            # The only analysis slot is free while the video is drawn (it was held: 503).
            files = {"file": ("a.jpg", face_jpeg)}
            assert client.post("/v1/images", files=files).status_code == 200
            # The drawing slot is not: another drawing is refused at once, and not charged.
            busy = client.get(f"/v1/jobs/{second['id']}/annotated")
            assert busy.status_code == 503
            assert busy.json()["error"]["code"] == "overloaded"
        finally:
            release.set()
            drawing.join(60)
        # Charged: 4 + 4 frames for the jobs, 4 for the drawing, 1 image: 13 (the refused drawing
        # gave its 4 back). The second drawing takes 4 more, asking again for a kept drawing
        # nothing, and one image the last frame of the 18.
        assert client.get(f"/v1/jobs/{second['id']}/annotated").status_code == 200
        assert client.get(f"/v1/jobs/{first['id']}/annotated").status_code == 200
        assert client.post("/v1/images", files=files).status_code == 200
        refused = client.post("/v1/images", files=files)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "quota_exceeded"


def test_an_unknown_job_is_404(jobs_client: TestClient) -> None:
    response = jobs_client.get(f"/v1/jobs/{'0' * 32}/annotated")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_without_annotate_the_upload_is_gone_when_the_job_ends(
    jobs_client: TestClient, face_jpeg: bytes
) -> None:
    job = finished_job(jobs_client, "a.jpg", face_jpeg)
    response = jobs_client.get(f"/v1/jobs/{job['id']}/annotated")
    assert response.status_code == 404
    assert "annotate=true" in response.json()["error"]["message"]


def test_a_running_job_is_409(make_app: Any, tmp_path: Path, face_jpeg: bytes) -> None:
    gate = GatedClassifier()
    with TestClient(make_app(classifier=gate, data_dir=tmp_path / "data")) as client:
        accepted = client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)}).json()
        assert gate.entered.wait(30)
        response = client.get(f"/v1/jobs/{accepted['id']}/annotated")
        gate.release.set()
        assert wait(client, accepted["status_url"])["status"] == "succeeded"
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"
    assert "running" in response.json()["error"]["message"]


def test_another_keys_job_is_404_whatever_its_status(
    make_app: Any, tmp_path: Path, face_jpeg: bytes
) -> None:
    store = SqliteKeyStore(tmp_path / "data" / "keys.sqlite3")
    (_, alice), (_, bob) = store.create("alice"), store.create("bob")
    gate = GatedClassifier()
    app = make_app(classifier=gate, data_dir=tmp_path / "data", auth="keys")
    with TestClient(app, headers={"X-API-Key": alice}) as client:
        kept, dropped = (
            client.post("/v1/jobs", files={"file": ("a.jpg", face_jpeg)}, data=fields).json()
            for fields in ({"annotate": "true"}, {})
        )
        assert gate.entered.wait(30)

        def as_bob(job: Any) -> Any:
            """Bob's answer to ``/annotated``, which must be his answer to the job itself."""
            own = client.get(job["status_url"], headers={"X-API-Key": bob})
            response = client.get(f"{job['status_url']}/annotated", headers={"X-API-Key": bob})
            assert (response.status_code, response.json()) == (404, own.json())
            assert response.json()["error"]["code"] == "not_found"
            return response.json()["error"]["message"]

        # Alice's unfinished jobs are 409 to her, and tell Bob nothing of their status.
        for job in (kept, dropped):
            assert client.get(f"{job['status_url']}/annotated").status_code == 409
            assert not any(status in as_bob(job) for status in ("running", "queued"))
        gate.release.set()
        assert wait(client, kept["status_url"])["status"] == "succeeded"
        assert wait(client, dropped["status_url"])["status"] == "succeeded"

        assert client.get(f"{kept['status_url']}/annotated").status_code == 200
        as_bob(kept)
        assert "annotate=true" in client.get(f"{dropped['status_url']}/annotated").text
        assert "annotate=true" not in as_bob(dropped)


def test_drawing_decodes_within_the_analysis_limits_and_budget(
    make_app: Any, tmp_path: Path
) -> None:
    # Six 160 px frames, then two 16000x16000 ones that no sampled frame reaches.
    content = png_video([frame_png(160)] * 6 + [frame_png(16000)] * 2)
    with TestClient(make_app(data_dir=tmp_path / "data", decode_wait_s=0)) as client:
        job = finished_job(client, "v.avi", content, frames="3", annotate="true")
        budget = client.app.state.services.models.decode_budget
        with budget.reserve(budget.pixels, timeout_s=0):
            busy = client.get(f"/v1/jobs/{job['id']}/annotated")
        response = client.get(f"/v1/jobs/{job['id']}/annotated")
    assert busy.status_code == 503
    assert busy.json()["error"]["code"] == "overloaded"
    assert response.status_code == 200
    path = tmp_path / "annotated.mp4"
    path.write_bytes(response.content)
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 6
