"""Concurrent requests with different images each get their own result."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from fastapi.testclient import TestClient

from api.images import encode, one_face


def variants(count: int) -> list[bytes]:
    """The face photograph at different brightness: the fake classifier scores each differently."""
    face = one_face().astype(np.float32)
    return [encode(np.clip(face * (0.4 + 0.1 * i), 0, 255).astype(np.uint8)) for i in range(count)]


def probability(client: TestClient, image: bytes) -> float:
    response = client.post("/v1/images", files={"file": ("f.jpg", image, "image/jpeg")})
    assert response.status_code == 200, response.text
    (face,) = response.json()["faces"]
    return float(face["fake_probability"])


def test_concurrent_requests_get_their_own_results(client: TestClient) -> None:
    images = variants(8)
    alone = [probability(client, image) for image in images]
    assert len(set(alone)) == len(images), "every image scores differently"

    jobs = [i % len(images) for i in range(48)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda i: probability(client, images[i]), jobs))

    assert together == [alone[i] for i in jobs]
