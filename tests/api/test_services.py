"""Analyses over the in-flight limit are answered 503 at once, with Retry-After."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.fakes import GatedClassifier
from deepfake_detection.api.services import InFlightLimiter
from deepfake_detection.errors import Overloaded


def test_limiter_counts_and_refuses() -> None:
    limiter = InFlightLimiter(2)
    with limiter.slot(), limiter.slot():
        assert limiter.in_flight == 2
        with pytest.raises(Overloaded), limiter.slot():
            pass
        assert limiter.in_flight == 2
    assert limiter.in_flight == 0


def test_slot_is_released_when_the_work_fails() -> None:
    limiter = InFlightLimiter(1)
    with pytest.raises(ValueError, match="boom"), limiter.slot():
        raise ValueError("boom")
    assert limiter.in_flight == 0


def test_request_over_the_in_flight_limit_is_503_with_retry_after(
    make_app: Any, face_jpeg: bytes
) -> None:
    gated = GatedClassifier()
    files = {"file": ("f.jpg", face_jpeg, "image/jpeg")}
    with TestClient(make_app(classifier=gated, max_in_flight=1)) as client:
        first: dict[str, Any] = {}
        worker = threading.Thread(
            target=lambda: first.update(response=client.post("/v1/images", files=files))
        )
        worker.start()
        try:
            assert gated.entered.wait(timeout=30), "the first request reached the classifier"
            refused = client.post("/v1/images", files=files)
            compat = client.post("/detect_deepfake_image", files={"image": files["file"]})
            health = client.get("/healthz")
        finally:
            gated.release.set()
            worker.join(timeout=30)
        after = client.post("/v1/images", files=files)

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "overloaded"
    assert compat.status_code == 503, "the compatibility route shares the limit"
    assert health.status_code == 200, "health checks are not limited"
    assert first["response"].status_code == 200
    assert after.status_code == 200, "the slot was released"
