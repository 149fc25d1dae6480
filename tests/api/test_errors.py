"""Every error the service answers, each provoked by a real bad request: status, code, message."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bad_inputs import png_header, truncated, zip_archive
from api.fakes import BrokenClassifier
from api.images import encode, one_face
from api.videos import video_bytes


def upload(client: TestClient, data: bytes, field: str = "file", **options: str) -> Any:
    return client.post("/v1/images", files={field: ("photo.jpg", data, "image/jpeg")}, data=options)


def assert_error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    assert len(message) > 10, "a message a person can act on"
    return message


def test_truncated_jpeg_is_400_corrupt_media(client: TestClient, face_jpeg: bytes) -> None:
    assert_error(upload(client, truncated(face_jpeg)), 400, "corrupt_media")


def test_zip_renamed_jpg_is_415(client: TestClient) -> None:
    message = assert_error(upload(client, zip_archive()), 415, "unsupported_media")
    assert "jpeg" in message  # it lists what is supported


def test_30000x30000_png_header_is_413_before_decoding(client: TestClient) -> None:
    data = png_header(30_000, 30_000)
    assert len(data) < 20_000, "tiny on the wire"
    message = assert_error(upload(client, data), 413, "too_large")
    assert "30000x30000" in message


def test_pixels_over_the_limit_read_in_millions(client: TestClient) -> None:
    message = assert_error(upload(client, png_header(30_000, 30_000)), 413, "too_large")
    assert (
        message == "the image is 30000x30000 (900 million pixels); the limit is 50 million pixels"
    )


def test_a_video_sent_as_an_image_is_pointed_to_the_video_routes(
    client: TestClient, tmp_path: Path
) -> None:
    message = assert_error(upload(client, video_bytes(tmp_path, count=3)), 415, "unsupported_media")
    assert message == (
        "this is a video (MP4), not an image: send it to POST /v1/videos, "
        "or to POST /v1/jobs when it is longer than POST /v1/videos accepts"
    )


def test_empty_file_is_400(client: TestClient) -> None:
    assert_error(upload(client, b""), 400, "bad_request")


def test_wrong_field_name_is_400_naming_the_expected_field(
    client: TestClient, face_jpeg: bytes
) -> None:
    message = assert_error(upload(client, face_jpeg, field="image"), 400, "bad_request")
    assert "file" in message


def test_missing_file_is_400(client: TestClient) -> None:
    response = client.post("/v1/images", files={"detector": (None, "ssd")})
    assert "'file'" in assert_error(response, 400, "bad_request")


def test_file_sent_as_text_is_400(client: TestClient) -> None:
    response = client.post("/v1/images", files={"file": (None, "not a file")})
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"threshold": "2"}, "threshold"),
        ({"threshold": "high"}, "threshold"),
        ({"max_faces": "0"}, "max_faces"),
        ({"max_faces": "1000"}, "max_faces"),
        ({"detector": "mtcnn"}, "centerface"),  # the message lists the valid detectors
    ],
)
def test_invalid_option_is_422(
    client: TestClient, face_jpeg: bytes, options: dict[str, str], named: str
) -> None:
    assert named in assert_error(upload(client, face_jpeg, **options), 422, "invalid_options")


def test_misspelled_json_option_is_422(client: TestClient, face_jpeg: bytes) -> None:
    payload = {"image_base64": base64.b64encode(face_jpeg).decode(), "treshold": 0.3}
    message = assert_error(client.post("/v1/images", json=payload), 422, "invalid_options")
    assert "treshold" in message


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b"[1, 2]", 400, "bad_request"),
        (b'{"image": "aGVsbG8="}', 400, "bad_request"),
        (b'{"image_base64": "***"}', 400, "bad_request"),
        (b'{"image_base64": ""}', 400, "bad_request"),
        (b'{"image_base64": 42}', 422, "invalid_options"),
        # Nested deeper than the parser's recursion limit (was a RecursionError: 500).
        (b"[" * 100_000 + b"]" * 100_000, 400, "bad_request"),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, 400, "bad_request"),
    ],
)
def test_bad_json_bodies(client: TestClient, body: bytes, status: int, code: str) -> None:
    response = client.post("/v1/images", content=body, headers={"content-type": "application/json"})
    assert_error(response, status, code)


def test_unsupported_request_type_is_415(client: TestClient, face_jpeg: bytes) -> None:
    response = client.post("/v1/images", content=face_jpeg, headers={"content-type": "image/jpeg"})
    assert "multipart/form-data" in assert_error(response, 415, "unsupported_media")


def test_two_files_are_400(client: TestClient, face_jpeg: bytes) -> None:
    files = [("file", ("a.jpg", face_jpeg, "image/jpeg")), ("file", ("b.jpg", face_jpeg))]
    assert_error(client.post("/v1/images", files=files), 400, "bad_request")


def test_unknown_route_is_404_and_wrong_method_405(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing"), 404, "not_found")
    response = client.get("/v1/images")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x00" * 100, id="zeros"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png-signature-only"),
        pytest.param(b"\xff\xd8\xff", id="jpeg-marker-only"),
        pytest.param(b"GIF89a\xff\xff\xff\xff", id="gif-header-only"),
        pytest.param(b"BM" + b"\xff" * 60, id="bmp-garbage"),
        pytest.param(b"II*\x00" + b"\xff" * 60, id="tiff-garbage"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20, id="webp-garbage"),
        pytest.param(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, id="heic-garbage"),
        pytest.param(png_header(1, 0x7FFFFFFF), id="png-1x2147483647"),
        pytest.param(png_header(0, 10), id="png-0x10"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
        pytest.param(b"%PDF-1.4\n", id="pdf"),
    ],
)
def test_no_garbage_upload_gets_a_500(client: TestClient, data: bytes) -> None:
    response = upload(client, data)
    assert response.status_code in {400, 413, 415}, response.text
    assert response.json()["error"]["code"] != "internal_error"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "BMP", "TIFF", "WEBP"])
def test_other_formats_and_modes_decode(client: TestClient, fmt: str) -> None:
    image = encode(one_face(), fmt)
    response = upload(client, image)
    assert response.status_code == 200, response.text
    assert len(response.json()["faces"]) == 1


def test_a_bug_is_500_internal_error_without_details(make_app: Any, face_jpeg: bytes) -> None:
    app = make_app(classifier=BrokenClassifier())
    with TestClient(app, raise_server_exceptions=False) as client:
        response = upload(client, face_jpeg)
    message = assert_error(response, 500, "internal_error")
    assert "bug" not in message, "the exception text stays in the server log"
    # Starlette answers a 500 outside every middleware: its headers are set by the handler.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
