"""``explain=true`` on ``POST /v1/images`` (an occlusion heatmap per face), on ``POST /v1/videos``
and video jobs (one per person, on its highest-scoring sampled face), only when asked for."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from api.images import encode, many_faces
from api.videos import video_bytes


def test_explain_adds_a_heatmap_per_face(client: TestClient) -> None:
    image = encode(many_faces(1, 2))
    plain = client.post("/v1/images", files={"file": ("a.jpg", image)}).json()
    explained = client.post(
        "/v1/images", files={"file": ("a.jpg", image)}, data={"explain": "true"}
    ).json()

    assert len(explained["faces"]) == 2
    assert "explain" in explained["timings_ms"]
    for face, before in zip(explained["faces"], plain["faces"], strict=True):
        explanation = face.pop("explanation")
        assert face == before  # the scores are the same; the heatmap is added
        assert explanation["method"] == "occlusion"
        picture = Image.open(io.BytesIO(base64.b64decode(explanation["heatmap_png_base64"])))
        assert picture.format == "PNG"
        assert picture.size == (64, 64)  # the fake classifier's input size
        region, box = explanation["region"], face["box"]
        # The crop is framed around the face box (the card's recipe), in image pixels.
        assert region["x1"] < (box["x1"] + box["x2"]) / 2 < region["x2"]
        assert region["y1"] < (box["y1"] + box["y2"]) / 2 < region["y2"]


def test_without_explain_no_explanation_key_is_sent(client: TestClient, face_jpeg: bytes) -> None:
    body = client.post("/v1/images", files={"file": ("a.jpg", face_jpeg)}).json()
    assert "explanation" not in body["faces"][0]
    assert "explain" not in body["timings_ms"]


def test_explain_works_with_json_too(client: TestClient, face_jpeg: bytes) -> None:
    payload = {"image_base64": base64.b64encode(face_jpeg).decode(), "explain": True}
    body = client.post("/v1/images", json=payload).json()
    assert body["faces"][0]["explanation"]["grid"] == 8


def test_a_bad_explain_value_is_422(client: TestClient, face_jpeg: bytes) -> None:
    response = client.post(
        "/v1/images", files={"file": ("a.jpg", face_jpeg)}, data={"explain": "perhaps"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_options"


def test_explain_on_a_video_adds_a_heatmap_per_person(client: TestClient, tmp_path: Path) -> None:
    content = video_bytes(tmp_path, people=2)
    upload = {"file": ("v.mp4", content)}
    plain = client.post("/v1/videos", files=upload, data={"frames": "5"}).json()
    explained = client.post("/v1/videos", files=upload, data={"frames": "5", "explain": "true"})
    assert explained.status_code == 200, explained.text
    body = explained.json()
    assert "explain" in body["timings_ms"]
    assert "explain" not in plain["timings_ms"]
    assert len(body["persons"]) == 2
    for person, before in zip(body["persons"], plain["persons"], strict=True):
        explanation = person.pop("explanation")
        assert person == before  # the scores are the same; the heatmap is added
        peak = max(person["timeline"], key=lambda s: s["fake_probability"])
        assert explanation["frame_index"] == peak["frame_index"]
        assert explanation["fake_probability"] == peak["fake_probability"]
        picture = Image.open(io.BytesIO(base64.b64decode(explanation["heatmap_png_base64"])))
        assert (picture.format, picture.size) == ("PNG", (64, 64))
        region, box = explanation["region"], peak["box"]
        assert region["x1"] < (box["x1"] + box["x2"]) / 2 < region["x2"]


def test_a_video_job_with_explain_has_the_heatmaps(client: TestClient, tmp_path: Path) -> None:
    content = video_bytes(tmp_path)
    created = client.post(
        "/v1/jobs", files={"file": ("v.mp4", content)}, data={"frames": "4", "explain": "true"}
    )
    assert created.status_code == 202, created.text
    job = created.json()
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/v1/jobs/{job['id']}").json()
    assert job["status"] == "succeeded", job
    (person,) = job["result"]["persons"]
    assert person["explanation"]["grid"] == 8
