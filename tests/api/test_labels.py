"""The labels of ``/metrics`` and the access log come from fixed sets: made-up methods are
``other``, paths are route templates or ``unmatched``, and a request refused by a middleware
carries the template of the route it was aimed at."""

from __future__ import annotations

import logging
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.conftest import AppFactory
from deepfake_detection.api.labels import METHODS
from deepfake_detection.monitoring.logs import ACCESS_LOGGER

JOB = "/v1/jobs/0123456789abcdef0123456789abcdef"
Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> tuple[int, Series]:
    """The size of ``/metrics`` and its request series (the process's metrics: other tests add to
    them, so only differences mean something)."""
    text = client.get("/metrics").text
    series = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("dfd_http_")
    }
    return len(text), series


def added(before: Series, after: Series, **labels: str) -> float:
    """Requests counted between two scrapes under ``labels`` (summed over the others)."""

    def count(series: Series) -> float:
        wanted = set(labels.items())
        return sum(
            v
            for (name, ls), v in series.items()
            if name == "dfd_http_requests_total" and wanted <= ls
        )

    return count(after) - count(before)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.fields.append(getattr(record, "fields", {}))


@pytest.fixture
def access_log() -> Iterator[Lines]:
    lines = Lines()
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(lines)
    yield lines
    logger.removeHandler(lines)


def made_up_methods(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choices(string.ascii_uppercase + "-_", k=rng.randint(3, 40))) for _ in range(n)
    ]


def test_made_up_methods_are_other_and_metrics_stay_bounded(
    make_app: AppFactory, tmp_path: Path, access_log: Lines
) -> None:
    with TestClient(make_app(data_dir=tmp_path)) as client:
        scrape(client)  # /metrics' own series

        def send(methods: list[str]) -> None:
            for i, method in enumerate(methods):
                path = ("/v1/jobs", JOB, f"/nowhere/{method}")[i % 3]
                assert client.request(method, path).status_code in (404, 405)

        send(made_up_methods(10, seed=1))
        size, before = scrape(client)
        send(made_up_methods(50, seed=2))
        grown, after = scrape(client)

    # The same series, only their counts grew: no method or path became a label of its own.
    assert after.keys() == before.keys()
    assert grown - size < 2000
    methods = {dict(labels)["method"] for _, labels in after}
    assert methods <= METHODS | {"other"}
    assert added(before, after, method="other", route="/v1/jobs", status="405") == 17
    assert added(before, after, method="other", route="/v1/jobs/{job_id}", status="405") == 17
    assert added(before, after, method="other", route="unmatched", status="404") == 16
    logged = [line for line in access_log.fields if line.get("route") != "/metrics"]
    assert len(logged) == 60
    assert {line["method"] for line in logged} == {"other"}
    assert {line["route"] for line in logged} == {"/v1/jobs", "/v1/jobs/{job_id}", "unmatched"}


def test_a_refused_request_carries_the_route_it_was_aimed_at(
    make_app: AppFactory, tmp_path: Path, access_log: Lines
) -> None:
    keys = make_app(data_dir=tmp_path / "keys", auth="keys")
    with TestClient(keys) as client:
        _, before = scrape(client)
        assert client.get(JOB).status_code == 401
        assert client.request("BREW", JOB).status_code == 401
        assert client.get("/nowhere").status_code == 401
        _, after = scrape(client)
    limited = make_app(data_dir=tmp_path / "limited", rate_limit="1/minute", max_upload_bytes=1000)
    with TestClient(limited) as client:
        assert client.get("/v1/jobs").status_code == 200
        assert client.get("/v1/jobs").status_code == 429
    too_large = make_app(data_dir=tmp_path / "large", max_upload_bytes=1000)
    with TestClient(too_large) as client:
        big = {"file": ("a.jpg", b"x" * 100_000)}
        assert client.post("/v1/images", files=big).status_code == 413

    assert added(before, after, method="GET", route="/v1/jobs/{job_id}", status="401") == 1
    assert added(before, after, method="other", route="/v1/jobs/{job_id}", status="401") == 1
    assert added(before, after, method="GET", route="unmatched", status="401") == 1
    refused = [(line["method"], line["route"], line["status"]) for line in access_log.fields]
    assert ("GET", "/v1/jobs/{job_id}", 401) in refused
    assert ("other", "/v1/jobs/{job_id}", 401) in refused
    assert ("GET", "/v1/jobs", 429) in refused
    assert ("POST", "/v1/images", 413) in refused
