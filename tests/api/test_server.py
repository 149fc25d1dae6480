"""The service as users run it: `dfd serve` (uvicorn) in its own process on 127.0.0.1, real HTTP."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest

from api.bad_inputs import truncated
from api.images import encode, many_faces, one_face
from support.live_server import live_server, server_env
from support.raw_http import connect, read_answer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("server")
    env = server_env(folder, DFD_MAX_UPLOAD_BYTES="2000000")
    with live_server(folder, env, "--no-access-log", ready_timeout_s=120) as running:
        yield running.url
    log = running.log.read_text()
    # uvicorn re-raises the signal it stopped on once the shutdown is complete; a server that
    # ignored SIGTERM was killed (-9) after 30 s.
    assert running.process.returncode in (0, -signal.SIGTERM), f"no graceful shutdown:\n{log}"
    assert "Application shutdown complete" in log
    assert "Traceback" not in log


def test_analyses_an_image_over_http(server: str) -> None:
    response = httpx.post(
        f"{server}/v1/images",
        files={"file": ("grid.jpg", encode(many_faces(1, 2)), "image/jpeg")},
        data={"detector": "ssd"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == {"name": "tiny", "version": "1.2.3"}
    assert body["detector"] == "ssd"
    assert len(body["faces"]) == 2


def test_compat_route_over_http(server: str) -> None:
    response = httpx.post(
        f"{server}/detect_deepfake_image",
        files={"image": ("a.jpg", encode(one_face()), "image/jpeg")},
        data={"face_detection": "1", "face_detection_method": "MTCNN"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["face_detection_method"] == "yunet"
    assert [set(p) for p in body["predictions"]] == [{"prediction", "probability"}]


def test_bad_upload_over_http_is_400(server: str) -> None:
    data = truncated(encode(one_face()))
    response = httpx.post(f"{server}/v1/images", files={"file": ("t.jpg", data)}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "corrupt_media"


def test_declared_huge_body_is_413_before_it_is_sent(server: str) -> None:
    with connect(server, timeout_s=10) as sock:
        sock.sendall(
            b"POST /v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            b"boundary=b\r\nContent-Length: 1000000000\r\n\r\n"
        )
        status, _, body = read_answer(sock)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "too_large"


def test_concurrent_clients_get_their_own_results(server: str) -> None:
    face = one_face().astype(np.float32)
    images = [encode(np.clip(face * (0.5 + 0.1 * i), 0, 255).astype(np.uint8)) for i in range(8)]

    def fake_probability(image: bytes) -> float:
        response = httpx.post(f"{server}/v1/images", files={"file": ("f.jpg", image)}, timeout=60)
        assert response.status_code == 200, response.text
        return float(response.json()["faces"][0]["fake_probability"])

    alone = [fake_probability(image) for image in images]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(fake_probability, images * 3))

    assert len(set(alone)) == len(images)
    assert together == alone * 3


def test_docs_are_served(server: str) -> None:
    assert httpx.get(f"{server}/docs", timeout=10).status_code == 200
    schema = httpx.get(f"{server}/openapi.json", timeout=10).json()
    assert "/v1/images" in schema["paths"]
