"""The service's Prometheus metrics, one set per process (``get_metrics``), built on first use.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several uvicorn workers, Celery workers on the same volume),
prometheus-client writes every value to a file of that folder and ``exposition`` adds up the files
of all processes; without it, ``exposition`` reads this process's own registry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from deepfake_detection.monitoring.exporter import MULTIPROCESS_VARIABLE

STAGES = ("decode", "detect", "crop", "classify", "track")
# Stages take from under a millisecond (crop) to seconds (a video's detection).
_STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class ServiceMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "dfd_http_requests",
            "HTTP requests answered, by route template and status",
            ("method", "route", "status"),
            registry=r,
        )
        self.request_seconds = Histogram(
            "dfd_http_request_duration_seconds",
            "Time to answer a request",
            ("method", "route"),
            buckets=_REQUEST_BUCKETS,
            registry=r,
        )
        self.stage_seconds = Histogram(
            "dfd_stage_duration_seconds",
            "Time spent per analysis stage (one observation per image or video)",
            ("kind", "stage"),
            buckets=_STAGE_BUCKETS,
            registry=r,
        )
        self.faces = Counter("dfd_faces_scored", "Faces scored", ("kind",), registry=r)
        self.verdicts = Counter(
            "dfd_verdicts", "Analyses by verdict", ("kind", "verdict"), registry=r
        )
        self.jobs = Counter(
            "dfd_jobs", "Jobs submitted (queued) and ended, by status", ("status",), registry=r
        )
        self.queue_length = Gauge(
            "dfd_job_queue_length",
            "Jobs waiting for a worker",
            registry=r,
            multiprocess_mode="livemostrecent",
        )
        self.model = Gauge(
            "dfd_model_info",
            "The model this process serves (value 1)",
            ("name", "version"),
            registry=r,
            multiprocess_mode="livemax",
        )

    def observe_analysis(self, result: Mapping[str, object]) -> None:
        """Record an analysis from its JSON answer (``POST /v1/images`` or ``/v1/videos``)."""
        kind = "video" if "video" in result else "image"
        timings = result.get("timings_ms")
        if isinstance(timings, Mapping):
            for stage in STAGES:
                value = timings.get(stage)
                if isinstance(value, int | float):
                    self.stage_seconds.labels(kind, stage).observe(value / 1000)
        self.faces.labels(kind).inc(faces_scored(result))
        verdict = result.get("verdict")
        if isinstance(verdict, str):
            self.verdicts.labels(kind, verdict).inc()


def faces_scored(result: Mapping[str, object]) -> int:
    """Faces scored in an analysis: one per face of an image, one per face sample of a video."""
    if "video" in result:
        persons = result.get("persons")
        if not isinstance(persons, list):
            return 0
        return sum(len(p.get("timeline", ())) for p in persons if isinstance(p, dict))
    faces = result.get("faces")
    return len(faces) if isinstance(faces, list) else 0


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_VARIABLE) or None


@cache
def get_metrics() -> ServiceMetrics:
    """This process's metrics (their values live in the multiprocess folder when it is set)."""
    return ServiceMetrics()


def exposition() -> bytes:
    """The text format of every metric: all processes' in multiprocess mode, else this one's."""
    if multiprocess_dir() is None:
        return generate_latest(get_metrics().registry)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
