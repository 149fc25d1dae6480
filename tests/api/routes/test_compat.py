"""The original service's API: same route, same form fields, exactly the same answer shape."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.images import encode, many_faces, no_face


def detect(client: TestClient, image: bytes, **fields: str) -> Any:
    return client.post(
        "/detect_deepfake_image", files={"image": ("upload.jpg", image, "image/jpeg")}, data=fields
    )


def test_answer_has_exactly_the_original_shape(client: TestClient, face_jpeg: bytes) -> None:
    response = detect(client, face_jpeg, face_detection="1", face_detection_method="SSD")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"face_detection_method", "predictions"}
    assert body["face_detection_method"] == "SSD"
    (prediction,) = body["predictions"]
    assert set(prediction) == {"prediction", "probability"}
    assert prediction["prediction"] in {"Real", "Fake"}
    assert 0.5 <= prediction["probability"] <= 1.0


@pytest.mark.parametrize(("threshold", "label"), [(0.0, "Fake"), (1.0, "Real")])
def test_probability_is_that_of_the_predicted_label(
    make_app: Any, face_jpeg: bytes, threshold: float, label: str
) -> None:
    with TestClient(make_app(threshold=threshold)) as client:
        new = client.post(
            "/v1/images", files={"file": ("f.jpg", face_jpeg)}, data={"detector": "ssd"}
        )
        (prediction,) = detect(client, face_jpeg, face_detection_method="SSD").json()["predictions"]
    p_fake = new.json()["faces"][0]["fake_probability"]

    assert prediction["prediction"] == label
    assert prediction["probability"] == pytest.approx(p_fake if label == "Fake" else 1 - p_fake)


@pytest.mark.parametrize("method", ["MTCNN", "mtcnn", None])
def test_mtcnn_and_the_default_run_the_default_detector_and_say_so(
    client: TestClient, face_jpeg: bytes, method: str | None
) -> None:
    fields = {"face_detection": "1"} | ({} if method is None else {"face_detection_method": method})
    body = detect(client, face_jpeg, **fields).json()
    assert body["face_detection_method"] == "yunet"
    assert len(body["predictions"]) == 1


def test_face_detection_0_scores_the_whole_image(client: TestClient) -> None:
    body = detect(client, encode(no_face()), face_detection="0", face_detection_method="SSD").json()
    assert body["face_detection_method"] == "none"
    assert len(body["predictions"]) == 1


def test_one_prediction_per_face_and_none_without_faces(client: TestClient) -> None:
    assert len(detect(client, encode(many_faces(2, 2))).json()["predictions"]) == 4
    assert detect(client, encode(no_face())).json()["predictions"] == []


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"face_detection_method": "HOG"}, 422, "invalid_options"),
        ({"face_detection": "2"}, 422, "invalid_options"),
        ({"face_detect": "1"}, 400, "bad_request"),
    ],
)
def test_bad_fields(
    client: TestClient, face_jpeg: bytes, fields: dict[str, str], status: int, code: str
) -> None:
    response = detect(client, face_jpeg, **fields)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_upload_in_the_new_field_name_is_400(client: TestClient, face_jpeg: bytes) -> None:
    response = client.post("/detect_deepfake_image", files={"file": ("f.jpg", face_jpeg)})
    assert response.status_code == 400
    assert "image" in response.json()["error"]["message"]


def test_welcome(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome" in response.json()["message"]
