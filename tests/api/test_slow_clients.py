"""Clients that announce a body and trickle it in, against the real server over real sockets."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from api.images import encode, one_face
from support.live_server import LiveServer, live_server, server_env
from support.raw_http import connect, read_answer

pytestmark = pytest.mark.slow

BODY_TIMEOUT_S = 2.0
MAX_UPLOADS = 20
HEADER_TIMEOUT_S = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("slow")
    env = server_env(
        folder,
        DFD_MAX_IN_FLIGHT="16",
        DFD_BODY_TIMEOUT_S=str(BODY_TIMEOUT_S),
        DFD_MAX_UPLOADS=str(MAX_UPLOADS),
        DFD_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S),
    )
    with live_server(folder, env, "--no-access-log") as running:
        yield running
    assert "Traceback" not in running.log.read_text()


def slow_upload(url: str, path: str = "/v1/images") -> socket.socket:
    """Headers announcing 100,000 bytes, then 10 of them: the rest never comes."""
    sock = connect(url)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 100000\r\n\r\n--b\r\nabcd".encode()
    )
    return sock


def post_image(url: str) -> httpx.Response:
    files = {"file": ("f.jpg", encode(one_face()), "image/jpeg")}
    return httpx.post(f"{url}/v1/images", files=files, timeout=60)


def test_slow_uploads_hold_no_analysis_slot_and_time_out_with_408(server: LiveServer) -> None:
    # 16 trickling uploads used to take all 16 in-flight slots: every analysis answered 503.
    started = time.monotonic()
    socks = [slow_upload(server.url, path) for path in ["/v1/images", "/v1/videos"] * 8]
    try:
        response = post_image(server.url)
        assert response.status_code == 200, response.text
        for sock in socks:
            status, headers, body = read_answer(sock)
            assert status == 408
            assert json.loads(body)["error"]["code"] == "request_timeout"
            assert headers["connection"] == "close"
    finally:
        for sock in socks:
            sock.close()
    waited = time.monotonic() - started
    assert BODY_TIMEOUT_S <= waited < BODY_TIMEOUT_S + 10


def wait_until_every_upload_place_is_taken(url: str, timeout_s: float = 10) -> None:
    """Until a POST without a body is refused 503 by the upload guard (let through, it would be
    405: /healthz takes GET only), that is until every slow upload has reached the app."""
    deadline = time.monotonic() + timeout_s
    while httpx.post(f"{url}/healthz", timeout=10).status_code != 503:
        assert time.monotonic() < deadline, f"the uploads took no place after {timeout_s:g} s"
        time.sleep(0.05)


def test_uploads_over_the_cap_are_refused_at_once(server: LiveServer) -> None:
    socks = [slow_upload(server.url) for _ in range(MAX_UPLOADS)]
    try:
        wait_until_every_upload_place_is_taken(server.url)
        started = time.monotonic()
        refused = post_image(server.url)
        assert time.monotonic() - started < 1.5
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "overloaded"
        assert refused.headers["retry-after"] == "1"
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        assert [read_answer(sock)[0] for sock in socks] == [408] * MAX_UPLOADS
    finally:
        for sock in socks:
            sock.close()
    assert post_image(server.url).status_code == 200


def test_answers_carry_security_headers_and_no_server_name(server: LiveServer) -> None:
    for response in [
        post_image(server.url),
        httpx.get(f"{server.url}/healthz", timeout=10),
        httpx.get(f"{server.url}/nowhere", timeout=10),
    ]:
        assert "server" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
    docs = httpx.get(f"{server.url}/docs", timeout=10)
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/v1/images", "/v1/videos", "/v1/jobs", "/detect_deepfake_image"])
def test_a_client_that_leaves_mid_body_is_no_server_error(server: LiveServer, path: str) -> None:
    # Issue 22 S15: a disconnect while the body is read is the client's doing: counted as 499
    # (nginx's "client closed request"), never as a 500, and no traceback (the fixture checks).
    slow_upload(server.url, path).close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        if f'route="{path}",status="499"' in metrics:
            break
        time.sleep(0.1)
    assert f'route="{path}",status="499"' in metrics
    assert 'status="500"' not in metrics


def test_headers_trickled_in_are_cut_at_the_header_deadline(server: LiveServer) -> None:
    # Issue 22 S11: a socket that sends a header byte now and then was open after 240 s.
    sock = connect(server.url)
    start = time.monotonic()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    closed = False
    try:
        for _ in range(20):  # 10 s of a byte every 0.5 s
            time.sleep(0.5)
            sock.sendall(b"a")
            if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                closed = True
                break
    except BlockingIOError:
        pass
    except OSError:
        closed = True  # reset by the server
    if not closed:
        sock.settimeout(5)
        closed = sock.recv(1) == b""
    assert closed
    assert time.monotonic() - start < HEADER_TIMEOUT_S + 3
    sock.close()


def test_a_kept_alive_connection_serves_requests_past_the_header_deadline(
    server: LiveServer,
) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
            time.sleep(HEADER_TIMEOUT_S / 2 + 0.2)  # each request's headers are timed on their own
