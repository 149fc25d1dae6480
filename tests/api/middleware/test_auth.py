"""API keys against the real server (``DFD_AUTH=keys``): the auth matrix (no key, a bad one, a
revoked one, another key's job), the open routes, a burst over a key's rate limit, and the JSON
access log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.images import encode, one_face
from support.live_server import LiveServer, live_server, server_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("auth")
    env = server_env(folder, DFD_AUTH="keys", DFD_KEY_RATE_LIMIT="1000/second")
    with live_server(folder, env) as running:
        yield running


@pytest.fixture(scope="module")
def image() -> bytes:
    return encode(one_face())


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def submit(server: LiveServer, key: str, image: bytes) -> str:
    response = httpx.post(
        f"{server.url}/v1/jobs", files={"file": ("a.jpg", image)}, headers=bearer(key), timeout=30
    )
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_without_a_key_is_401(server: LiveServer, image: bytes) -> None:
    assert_unauthorized(httpx.post(f"{server.url}/v1/images", files={"file": ("a.jpg", image)}))
    assert_unauthorized(httpx.get(f"{server.url}/v1/jobs"))
    assert_unauthorized(httpx.get(f"{server.url}/v1/models"))


def test_a_bad_key_is_401(server: LiveServer) -> None:
    assert_unauthorized(httpx.get(f"{server.url}/v1/jobs", headers=bearer("dfd_not-a-key")))
    assert_unauthorized(httpx.get(f"{server.url}/v1/jobs", headers={"X-API-Key": "nope"}))


def test_health_readiness_and_metrics_stay_open(server: LiveServer) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert httpx.get(f"{server.url}{path}", timeout=10).status_code == 200, path


def test_a_key_works_in_either_header_and_a_revoked_one_does_not(
    server: LiveServer, image: bytes
) -> None:
    key = server.create_key("soon-revoked")
    for headers in (bearer(key), {"X-API-Key": key}):
        response = httpx.post(
            f"{server.url}/v1/images", files={"file": ("a.jpg", image)}, headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text
    done = server.dfd("keys", "revoke", "soon-revoked")
    assert done.returncode == 0, done.stderr
    assert_unauthorized(httpx.get(f"{server.url}/v1/jobs", headers=bearer(key)))
    listed = [json.loads(line) for line in server.dfd("keys", "list", "--json").stdout.splitlines()]
    assert {"name": "soon-revoked", "revoked": True}.items() <= next(
        k for k in listed if k["name"] == "soon-revoked"
    ).items()


def test_another_keys_job_is_404_and_lists_are_separate(server: LiveServer, image: bytes) -> None:
    alice, bob = server.create_key("alice"), server.create_key("bob")
    alices = [submit(server, alice, image) for _ in range(3)]
    bobs = submit(server, bob, image)

    for method in ("GET", "DELETE"):
        response = httpx.request(method, f"{server.url}/v1/jobs/{alices[0]}", headers=bearer(bob))
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{server.url}/v1/jobs/{alices[0]}", headers=bearer(alice)).status_code == 200

    listed = httpx.get(f"{server.url}/v1/jobs", headers=bearer(alice)).json()
    assert [job["id"] for job in listed["jobs"]] == alices[::-1]  # newest first
    assert [
        j["id"] for j in httpx.get(f"{server.url}/v1/jobs", headers=bearer(bob)).json()["jobs"]
    ] == [bobs]

    first = httpx.get(f"{server.url}/v1/jobs", params={"limit": 2}, headers=bearer(alice)).json()
    second = httpx.get(
        f"{server.url}/v1/jobs",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=bearer(alice),
    ).json()
    assert [j["id"] for j in first["jobs"] + second["jobs"]] == alices[::-1]
    assert second["next_cursor"] is None

    deleted = httpx.delete(f"{server.url}/v1/jobs/{bobs}", headers=bearer(bob))
    assert deleted.status_code == 200
    assert httpx.get(f"{server.url}/v1/jobs/{bobs}", headers=bearer(bob)).status_code == 404


def test_a_burst_over_a_keys_limit_gets_429_with_retry_after(server: LiveServer) -> None:
    limited = server.create_key("limited", "--rate-limit", "5/minute")
    other = server.create_key("unlimited")
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answers = [client.get("/v1/jobs", headers=bearer(limited)) for _ in range(8)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert answers[0].headers["RateLimit-Limit"] == "5"
        assert answers[0].headers["RateLimit-Remaining"] == "4"
        # Another key, and the open routes, are not affected.
        assert client.get("/v1/jobs", headers=bearer(other)).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_one_json_log_line_per_request_without_the_key(server: LiveServer) -> None:
    key = server.create_key("logged")
    response = httpx.get(
        f"{server.url}/v1/jobs/0123456789abcdef0123456789abcdef",
        headers=bearer(key) | {"X-Request-ID": "trace-42"},
    )
    assert response.headers["X-Request-ID"] == "trace-42"
    generated = httpx.get(f"{server.url}/healthz").headers["X-Request-ID"]
    assert len(generated) == 32

    mine = access_line(server, "trace-42")
    assert mine["method"] == "GET"
    assert mine["route"] == "/v1/jobs/{job_id}"
    assert mine["status"] == 404
    assert mine["key"] == "logged"
    assert mine["duration_ms"] >= 0
    assert access_line(server, generated)["route"] == "/healthz"
    assert key not in server.log.read_text()


def access_line(server: LiveServer, request_id: str, timeout_s: float = 10) -> dict[str, Any]:
    """The server's access log line for ``request_id``. The line is written once the answer has
    been sent, so the client can read the log before it is there: wait for it."""
    deadline = time.monotonic() + timeout_s
    while True:
        for text in server.log.read_text().splitlines():
            if text.startswith("{"):
                line: dict[str, Any] = json.loads(text)
                access = line.get("logger") == "deepfake_detection.access"
                if access and line.get("request_id") == request_id:
                    return line
        if time.monotonic() > deadline:
            raise AssertionError(f"no access log line for {request_id} within {timeout_s:g} s")
        time.sleep(0.05)


def test_keys_are_stored_hashed(server: LiveServer) -> None:
    key = server.create_key("hashed")
    stored = Path(server.env["DFD_DATA_DIR"], "keys.sqlite3").read_bytes()
    assert key.encode() not in stored
    assert key.removeprefix("dfd_").encode() not in stored
