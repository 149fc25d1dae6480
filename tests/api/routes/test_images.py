"""POST /v1/images through the ASGI test client, with the real detectors and a fake classifier."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.images import encode, many_faces, no_face, one_face


def post_image(client: TestClient, image: bytes, **options: object) -> Any:
    form = {k: str(v) for k, v in options.items()}
    response = client.post("/v1/images", files={"file": ("x.jpg", image, "image/jpeg")}, data=form)
    assert response.status_code == 200, response.text
    return response.json()


def test_one_face_is_found_scored_and_located(client: TestClient, face_jpeg: bytes) -> None:
    body = post_image(client, face_jpeg)

    assert body["image"] == {"width": 512, "height": 512}
    assert body["detector"] == "yunet"
    assert body["model"] == {"name": "fake-brightness", "version": "test"}
    assert body["threshold"] == 0.5
    (face,) = body["faces"]
    box = face["box"]
    # The astronaut's face, in pixels of the 512x512 original.
    assert 150 < box["x1"] < box["x2"] < 300
    assert 30 < box["y1"] < box["y2"] < 220
    assert len(face["landmarks"]) == 5
    assert 0.5 < face["detector_confidence"] <= 1.0
    assert 0.0 <= face["fake_probability"] <= 1.0
    assert face["label"] == ("fake" if face["fake_probability"] >= 0.5 else "real")
    assert body["verdict"] == face["label"]
    assert body["skipped_faces"] == []
    assert set(body["timings_ms"]) == {"decode", "detect", "crop", "classify", "total"}
    assert body["timings_ms"]["total"] >= body["timings_ms"]["detect"] > 0


def test_no_face_gives_the_no_face_verdict(client: TestClient) -> None:
    body = post_image(client, encode(no_face()))

    assert body["faces"] == []
    assert body["verdict"] == "no_face"
    assert body["image"] == {"width": 600, "height": 400}


@pytest.mark.parametrize("detector", ["centerface", "ssd"])
def test_many_faces_are_each_scored(client: TestClient, detector: str) -> None:
    body = post_image(client, encode(many_faces(2, 2)), detector=detector)

    assert body["detector"] == detector
    assert len(body["faces"]) == 4
    cells = {
        ((f["box"]["x1"] + f["box"]["x2"]) // 1024, (f["box"]["y1"] + f["box"]["y2"]) // 1024)
        for f in body["faces"]
    }
    assert cells == {(0, 0), (0, 1), (1, 0), (1, 1)}, "one face in each tile of the 2x2 grid"


def test_max_faces_reports_the_rest_as_skipped(client: TestClient) -> None:
    body = post_image(client, encode(many_faces(2, 3)), max_faces=2)

    assert len(body["faces"]) == 2
    assert len(body["skipped_faces"]) == 4
    assert {s["reason"] for s in body["skipped_faces"]} == {"over_max_faces"}
    kept = min(f["detector_confidence"] for f in body["faces"])
    assert all(s["detector_confidence"] <= kept for s in body["skipped_faces"])


def test_threshold_option_decides_the_label(client: TestClient, face_jpeg: bytes) -> None:
    low = post_image(client, face_jpeg, threshold=0.0)
    high = post_image(client, face_jpeg, threshold=1.0)

    assert (low["threshold"], low["verdict"]) == (0.0, "fake")
    assert (high["threshold"], high["verdict"]) == (1.0, "real")
    assert low["faces"][0]["fake_probability"] == high["faces"][0]["fake_probability"]


def test_none_detector_scores_the_whole_image(client: TestClient) -> None:
    body = post_image(client, encode(no_face()), detector="none")

    (face,) = body["faces"]
    assert face["box"] == {"x1": 0.0, "y1": 0.0, "x2": 600.0, "y2": 400.0}
    assert face["landmarks"] is None


def test_json_with_base64_gives_the_same_answer_as_multipart(
    client: TestClient, face_jpeg: bytes
) -> None:
    payload = {"image_base64": base64.b64encode(face_jpeg).decode(), "detector": "ssd"}
    as_json = client.post("/v1/images", json=payload)
    as_form = post_image(client, face_jpeg, detector="ssd")

    assert as_json.status_code == 200, as_json.text
    assert as_json.json()["faces"] == as_form["faces"]


def test_a_data_url_is_accepted_as_base64(client: TestClient) -> None:
    png = encode(one_face(), "PNG")
    url = "data:image/png;base64," + base64.encodebytes(png).decode()  # with line breaks

    response = client.post("/v1/images", json={"image_base64": url})

    assert response.status_code == 200, response.text
    assert len(response.json()["faces"]) == 1


def test_settings_choose_the_default_detector_and_threshold(make_app: Any) -> None:
    with TestClient(make_app(detector="ssd", threshold=0.99)) as client:
        body = post_image(client, encode(one_face()))

    assert body["detector"] == "ssd"
    assert body["threshold"] == 0.99
