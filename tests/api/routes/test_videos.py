"""``POST /v1/videos`` and the original's ``POST /detect_deepfake_video``, through the ASGI app."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.routes.test_jobs import wait
from api.videos import video_bytes
from deepfake_detection.testing.fuzzing.bombs import frame_png, png_video


def post_video(client: TestClient, content: bytes, **fields: str) -> Any:
    return client.post("/v1/videos", files={"file": ("v.mp4", content)}, data=fields)


def test_a_video_is_answered_with_persons_and_timelines(client: TestClient, tmp_path: Path) -> None:
    response = post_video(client, video_bytes(tmp_path, people=2), frames="5")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sampled_frames"] == 5
    assert body["video"]["width"] == 480
    assert body["video"]["frame_count"] == 20
    assert body["video"]["fps"] == pytest.approx(25.0)
    assert len(body["persons"]) == 2
    for person in body["persons"]:
        assert [s["frame_index"] for s in person["timeline"]] == [2, 6, 10, 14, 18]
        assert person["label"] in ("real", "fake")
    assert body["verdict"] in ("real", "fake")
    assert body["detector"] == "yunet"
    assert {"decode", "detect", "classify", "total"} <= set(body["timings_ms"])
    assert_wire_rounding(body)


def assert_wire_rounding(body: Any) -> None:
    """Every number follows the documented rule: nothing finer than 6 decimals (probabilities),
    1 decimal for pixels."""
    for person in body["persons"]:
        assert round(person["score"], 6) == person["score"]
        for sample in person["timeline"]:
            assert all(round(v, 1) == v for v in sample["box"].values())
            assert all(round(v, 1) == v for point in sample["landmarks"] for v in point)
            for key in ("fake_probability", "detector_confidence"):
                assert round(sample[key], 6) == sample[key]


def test_the_same_video_gets_the_same_answer(client: TestClient, tmp_path: Path) -> None:
    content = video_bytes(tmp_path)
    answers = [post_video(client, content, frames="4").json() for _ in range(2)]
    assert answers[0]["persons"] == answers[1]["persons"]


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"frames": "0"}, 422, "invalid_options"),
        ({"frames": "100000"}, 422, "invalid_options"),
        ({"aggregate": "mode"}, 422, "invalid_options"),
        ({"detector": "mtcnn"}, 422, "invalid_options"),
        ({"colour": "red"}, 400, "bad_request"),
        # Was an OverflowError (500) in the sampling.
        ({"every_s": "1e-308"}, 422, "invalid_options"),
        ({"every_s": "inf"}, 422, "invalid_options"),
        ({"every_s": "nan"}, 422, "invalid_options"),
    ],
)
def test_invalid_options(
    client: TestClient, tmp_path: Path, fields: dict[str, str], status: int, code: str
) -> None:
    response = post_video(client, video_bytes(tmp_path, count=5), **fields)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_every_s_over_the_frame_limit_is_422_naming_what_fits(
    client: TestClient, tmp_path: Path
) -> None:
    # 0.8 s at one frame every 2 ms: 400 samples, over the 300-frame limit.
    response = post_video(client, video_bytes(tmp_path, count=20), every_s="0.002")
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "the limit is 300" in message
    assert "every_s >= 0.003" in message


def test_bad_videos_get_clear_errors(client: TestClient, tmp_path: Path) -> None:
    content = video_bytes(tmp_path, count=10)
    cases = [
        (b"hello, I am a text file", 415, "unsupported_media"),
        (content[: len(content) // 2], 400, "corrupt_media"),  # no index at the end: unreadable
        (b"", 400, "bad_request"),
    ]
    for data, status, code in cases:
        response = post_video(client, data)
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
    missing = client.post("/v1/videos", files={"frames": (None, "3")})
    assert missing.status_code == 400
    assert "file" in missing.json()["error"]["message"]
    not_a_form = client.post(
        "/v1/videos", content=b"\x00\x00", headers={"content-type": "video/mp4"}
    )
    assert not_a_form.status_code == 415


def test_a_corrupt_video_is_described_in_words(client: TestClient, tmp_path: Path) -> None:
    content = video_bytes(tmp_path, count=10)
    response = post_video(client, content[: len(content) // 2])
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "corrupt_media",
        "message": "the MP4 video is damaged or incomplete: it cannot be opened "
        "(the decoder says: invalid data found when processing input)",
    }


def test_long_videos_are_sent_to_jobs(make_app: Any, tmp_path: Path) -> None:
    with TestClient(make_app(video_sync_max_duration_s=0.2, data_dir=tmp_path)) as client:
        response = post_video(client, video_bytes(tmp_path, count=20))
    assert response.status_code == 413
    assert "/v1/jobs" in response.json()["error"]["message"]


def test_the_body_limit_applies_to_video_uploads(make_app: Any, tmp_path: Path) -> None:
    with TestClient(make_app(video_max_bytes=1000, data_dir=tmp_path)) as client:
        response = post_video(client, video_bytes(tmp_path, count=20))
    assert response.status_code == 413


def test_the_original_video_route_answers_its_shape(client: TestClient, tmp_path: Path) -> None:
    response = client.post(
        "/detect_deepfake_video",
        files={"video": ("v.mp4", video_bytes(tmp_path, people=2))},
        data={"num_frames": "4", "face_detection_method": "SSD"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"face_detection_method", "predictions"}
    assert body["face_detection_method"] == "SSD"
    assert len(body["predictions"]) == 8  # two faces in each of 4 frames
    for prediction in body["predictions"]:
        assert set(prediction) == {"prediction", "probability"}
        assert prediction["prediction"] in ("Real", "Fake")
        assert 0.5 <= prediction["probability"] <= 1.0
        assert round(prediction["probability"], 6) == prediction["probability"]
    default = client.post(
        "/detect_deepfake_video", files={"video": ("v.mp4", video_bytes(tmp_path))}
    )
    assert default.json()["face_detection_method"] == "yunet"
    assert len(default.json()["predictions"]) == 3  # the original's 3 frames
    bad = client.post(
        "/detect_deepfake_video",
        files={"video": ("v.mp4", video_bytes(tmp_path))},
        data={"num_frames": "three"},
    )
    assert bad.status_code == 422


def test_a_huge_second_stream_is_refused_by_every_video_route(
    make_app: Any, tmp_path: Path
) -> None:
    # Stream 0 is 64 px; stream 1, never analysed, is 16000x16000 (768 MB decoded) in 760 KB.
    content = png_video([frame_png(64)] * 3, [frame_png(16000)])
    with TestClient(make_app(data_dir=tmp_path / "data")) as client:
        answers = [
            post_video(client, content),
            client.post("/detect_deepfake_video", files={"video": ("v.avi", content)}),
        ]
        accepted = client.post("/v1/jobs", files={"file": ("v.avi", content)})
        assert accepted.status_code == 202, accepted.text
        job = wait(client, accepted.json()["status_url"])
    for response in answers:
        assert response.status_code == 413, response.text
        assert "video stream 1" in response.json()["error"]["message"]
    assert job["status"] == "failed"
    assert job["error"]["code"] == "too_large"
    assert "video stream 1" in job["error"]["message"]


def test_fast_sampling_is_an_option_and_the_answer_says_so(
    client: TestClient, tmp_path: Path
) -> None:
    content = video_bytes(tmp_path, count=20)
    files = {"file": ("v.mp4", content)}
    fast = client.post("/v1/videos", files=files, data={"frames": "4", "sampling": "fast"})
    assert fast.status_code == 200, fast.text
    assert fast.json()["sampling"] == "fast"
    assert fast.json()["sampled_frames"] == 4
    exact = client.post("/v1/videos", files=files, data={"frames": "4"})
    assert exact.json()["sampling"] == "exact"
    bad = client.post("/v1/videos", files=files, data={"sampling": "quick"})
    assert bad.status_code == 422
    assert "sampling" in bad.json()["error"]["message"]


def test_thumbnails_are_an_option_cut_from_the_analysed_faces(
    client: TestClient, tmp_path: Path
) -> None:
    content = video_bytes(tmp_path, count=20)
    files = {"file": ("v.mp4", content)}
    answer = client.post("/v1/videos", files=files, data={"frames": "4", "thumbnails": "true"})
    assert answer.status_code == 200, answer.text
    (person,) = answer.json()["persons"]
    samples = person["timeline"]
    assert len(samples) == 4
    for sample in samples:
        picture = Image.open(io.BytesIO(base64.b64decode(sample["thumbnail_jpeg_base64"])))
        assert (picture.format, picture.size) == ("JPEG", (64, 64))
    best = max(samples, key=lambda s: s["fake_probability"])
    assert person["thumbnail_jpeg_base64"] == best["thumbnail_jpeg_base64"]
    plain = client.post("/v1/videos", files=files, data={"frames": "4"}).json()
    assert "thumbnail_jpeg_base64" not in plain["persons"][0]
    assert all("thumbnail_jpeg_base64" not in s for s in plain["persons"][0]["timeline"])
