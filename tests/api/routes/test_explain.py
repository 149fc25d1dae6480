"""``explain=true`` on ``POST /v1/images``: an occlusion heatmap per face, only when asked for."""

from __future__ import annotations

import base64
import io

from fastapi.testclient import TestClient
from PIL import Image

from api.images import encode, many_faces


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
