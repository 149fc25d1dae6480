"""``/metrics`` after real requests, read with Prometheus's own text parser: one server process,
then two uvicorn workers in multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.images import encode, no_face, one_face
from support.live_server import live_server, server_env

pytestmark = pytest.mark.slow

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, metric: str, /, **labels: str) -> float:
    """The sum over the samples of ``metric`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == metric and wanted <= ls)


def test_metrics_show_the_traffic(tmp_path: Path) -> None:
    with live_server(tmp_path, server_env(tmp_path)) as server:
        face, coffee = encode(one_face()), encode(no_face())
        for image in (face, face, coffee):
            files = {"file": ("a.jpg", image)}
            assert httpx.post(f"{server.url}/v1/images", files=files, timeout=30).status_code == 200
        assert (
            httpx.post(f"{server.url}/v1/images", files={"file": ("a.jpg", b"x")}).status_code
            == 415
        )
        httpx.get(f"{server.url}/v1/jobs/0123456789abcdef0123456789abcdef")
        job = httpx.post(f"{server.url}/v1/jobs", files={"file": ("a.jpg", face)}, timeout=30)
        status_url = f"{server.url}/v1/jobs/{job.json()['id']}"
        deadline = time.monotonic() + 60
        while httpx.get(status_url).json()["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.1)

        samples = scrape(server.url)

    route = {"method": "POST", "route": "/v1/images"}
    assert value(samples, "dfd_http_requests_total", status="200", **route) == 3
    assert value(samples, "dfd_http_requests_total", status="415", **route) == 1
    # The job's id is not a label: its route template is.
    assert value(samples, "dfd_http_requests_total", route="/v1/jobs/{job_id}", status="404") == 1
    assert value(samples, "dfd_http_request_duration_seconds_count", **route) == 4
    for stage in ("decode", "detect", "classify"):
        assert value(samples, "dfd_stage_duration_seconds_count", kind="image", stage=stage) == 4
    assert value(samples, "dfd_faces_scored_total", kind="image") == 3
    assert value(samples, "dfd_verdicts_total", verdict="no_face") == 1
    assert value(samples, "dfd_verdicts_total", kind="image") == 4
    assert value(samples, "dfd_jobs_total", status="queued") == 1
    assert value(samples, "dfd_jobs_total", status="succeeded") == 1
    assert value(samples, "dfd_job_queue_length") == 0
    assert value(samples, "dfd_model_info", name="tiny", version="1.2.3") == 1


def test_two_workers_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = server_env(tmp_path) | {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    with live_server(tmp_path, env, "--workers", "2") as server:
        face = encode(one_face())
        # /readyz answered once: each worker must be ready before the load starts.
        ready = 0
        deadline = time.monotonic() + 60
        while ready < 10 and time.monotonic() < deadline:
            ready = ready + 1 if httpx.get(f"{server.url}/readyz").status_code == 200 else 0

        def post(_: int) -> int:
            files = {"file": ("a.jpg", face)}
            return httpx.post(f"{server.url}/v1/images", files=files, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert set(pool.map(post, range(24))) == {200}
        samples = scrape(server.url)

    route = {"method": "POST", "route": "/v1/images", "status": "200"}
    assert value(samples, "dfd_http_requests_total", **route) == 24
    assert value(samples, "dfd_faces_scored_total", kind="image") == 24
    assert list(folder.glob("counter_*.db"))
