"""Request bodies over the limit are refused with 413 before (declared) or while (chunked) read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import anyio
import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from api.images import encode, one_face
from deepfake_detection.api.errors import error_response
from deepfake_detection.api.middleware.body_limit import BodyLimitMiddleware, request_body_limit
from deepfake_detection.config import Settings

LIMIT_BYTES = 100_000


@pytest.fixture
def small_client(make_app: Any) -> Iterator[TestClient]:
    with TestClient(make_app(max_upload_bytes=LIMIT_BYTES)) as client:
        yield client


def test_the_body_limit_leaves_room_for_base64_and_form_fields() -> None:
    limit = request_body_limit(Settings(max_upload_bytes=3_000))
    assert 4_000 < limit < 4_000 + 100_000


def test_declared_oversized_upload_is_413(small_client: TestClient) -> None:
    big = b"\xff\xd8\xff" + b"\x00" * (2 * LIMIT_BYTES)
    response = small_client.post("/v1/images", files={"file": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    # In units a person reads, never raw byte counts.
    message = response.json()["error"]["message"]
    assert re.fullmatch(r"the request body is [\d.]+ KiB; the limit is [\d.]+ KiB", message)


def test_an_image_over_the_upload_limit_is_413_in_units(small_client: TestClient) -> None:
    # Under the body's limit (room for base64) but over the image's own.
    image = b"\xff\xd8\xff" + b"\x00" * (LIMIT_BYTES + 30_000)
    response = small_client.post("/v1/images", files={"file": ("big.jpg", image, "image/jpeg")})
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "the image is 127 KiB; the limit is 97.7 KiB",
    }


def test_chunked_upload_is_413(small_client: TestClient) -> None:
    chunks = (b"x" * 64 * 1024 for _ in range(100))
    response = small_client.post(
        "/v1/images", content=chunks, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert re.fullmatch(
        r"the request body is over this route's limit of [\d.]+ KiB",
        response.json()["error"]["message"],
    )


def test_middleware_stops_pulling_the_body_at_the_limit() -> None:
    """Driven by hand: the body arrives in 1 KiB messages; the app never gets past the limit."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": pulled < 1000}

    async def send(message: Message) -> None:
        sent.append(message)

    async def reads_everything(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await Request(scope, receive).body()
        except HTTPException as exc:
            await error_response(exc.status_code, "too_large", str(exc.detail))(
                scope, receive, send
            )

    middleware = BodyLimitMiddleware(reads_everything, {"/": 10 * 1024})
    scope: Scope = {"type": "http", "path": "/v1/images", "headers": [], "method": "POST"}
    anyio.run(middleware, scope, receive, send)

    assert pulled == 11, "one message past the limit, then it stopped"
    assert sent[0]["status"] == 413


def test_declared_length_over_the_limit_is_refused_without_reading() -> None:
    async def receive() -> Message:
        raise AssertionError("the body must not be read")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def never_called(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not run")

    middleware = BodyLimitMiddleware(never_called, {"/": 1000, "/v1/videos": 10**9})
    headers = [(b"content-length", b"5000")]
    scope: Scope = {"type": "http", "path": "/v1/images", "headers": headers, "method": "POST"}
    anyio.run(middleware, scope, receive, send)

    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"]["code"] == "too_large"
    assert middleware.limit_for("/v1/videos/upload") == 10**9, "the longest prefix wins"


def test_image_over_max_upload_bytes_inside_the_body_limit_is_413(
    small_client: TestClient,
) -> None:
    # Noise does not compress: a PNG a little over the limit, within the body limit's slack.
    noise = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    data = encode(noise, "PNG")
    assert LIMIT_BYTES < len(data) < request_body_limit(Settings(max_upload_bytes=LIMIT_BYTES))

    response = small_client.post("/v1/images", files={"file": ("n.png", data, "image/png")})

    assert response.status_code == 413
    assert "limit" in response.json()["error"]["message"]


def test_uploads_under_the_limit_pass(small_client: TestClient) -> None:
    data = encode(one_face()[::2, ::2])
    assert len(data) < LIMIT_BYTES
    response = small_client.post("/v1/images", files={"file": ("f.jpg", data, "image/jpeg")})
    assert response.status_code == 200, response.text
