"""``/docs`` works offline: Swagger UI from the package, examples, error codes, upload forms."""

from __future__ import annotations

from fastapi.testclient import TestClient

from deepfake_detection.api.schemas import CompatImageResponse
from deepfake_detection.jobs.schemas import JobList, JobResponse
from deepfake_detection.schemas.images import ImageAnalysisResponse
from deepfake_detection.schemas.videos import VideoAnalysisResponse
from deepfake_detection.web.docs import error_codes, examples


def test_the_docs_page_uses_no_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200
    assert len(js.content) > 100_000
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_every_route_has_an_example_answer(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            success = next(s for s in operation["responses"] if s.startswith("2"))
            content = operation["responses"][success].get("content", {})
            if "application/json" in content and "example" not in content["application/json"]:
                missing.append(f"{method.upper()} {path}")
    assert not missing


def test_the_examples_are_valid_answers() -> None:
    answers = examples()
    ImageAnalysisResponse.model_validate(answers["POST /v1/images"]["200"])
    VideoAnalysisResponse.model_validate(answers["POST /v1/videos"]["200"])
    JobResponse.model_validate(answers["GET /v1/jobs/{job_id}"]["200"])
    listed = JobList.model_validate(answers["GET /v1/jobs"]["200"])
    assert "result" not in answers["GET /v1/jobs"]["200"]["jobs"][0]
    assert listed.jobs[0].summary is not None
    CompatImageResponse.model_validate(answers["POST /detect_deepfake_image"]["200"])
    CompatImageResponse.model_validate(answers["POST /detect_deepfake_video"]["200"])


def test_the_error_codes_are_listed(client: TestClient) -> None:
    description = client.get("/openapi.json").json()["info"]["description"]
    for status, code, meaning in error_codes():
        assert f"| {status} | `{code}` | {meaning} |" in description
    codes = {code for _, code, _ in error_codes()}
    assert {"bad_request", "corrupt_media", "too_large", "overloaded", "not_ready"} <= codes


def test_the_original_routes_document_their_form_fields(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, fields in {
        "/detect_deepfake_image": {"image", "face_detection", "face_detection_method"},
        "/detect_deepfake_video": {"video", "num_frames", "face_detection_method"},
    }.items():
        body = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert set(body["properties"]) == fields
        assert body["properties"][path.split("_")[-1]]["format"] == "binary"
