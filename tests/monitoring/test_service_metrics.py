"""The metrics set: an analysis's JSON answer recorded, and the Grafana dashboard asks only for
metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from deepfake_detection.monitoring.metrics import ServiceMetrics, faces_scored

DASHBOARD = Path(__file__).parents[2] / "monitoring" / "grafana-dashboard.json"

VIDEO = {
    "video": {"width": 480},
    "verdict": "fake",
    "sampled_frames": 4,
    "persons": [{"timeline": [{}, {}, {}]}, {"timeline": [{}]}],
    "timings_ms": {"decode": 12.0, "detect": 40.0, "crop": 1.0, "classify": 5.0, "total": 60.0},
}


def samples(metrics: ServiceMetrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_an_analysis_is_recorded_from_its_answer() -> None:
    metrics = ServiceMetrics()
    metrics.observe_analysis(VIDEO)
    metrics.observe_analysis({"image": {}, "verdict": "no_face", "faces": [], "timings_ms": {}})
    found = samples(metrics)
    assert found[("dfd_faces_scored_total", frozenset({("kind", "video")}))] == 4
    assert found[("dfd_verdicts_total", frozenset({("kind", "video"), ("verdict", "fake")}))] == 1
    assert (
        found[("dfd_verdicts_total", frozenset({("kind", "image"), ("verdict", "no_face")}))] == 1
    )
    detect = frozenset({("kind", "video"), ("stage", "detect")})
    assert found[("dfd_stage_duration_seconds_sum", detect)] == 0.04
    assert faces_scored({"faces": [{}, {}]}) == 2


def test_the_dashboard_uses_only_metrics_the_service_has() -> None:
    metrics = ServiceMetrics()
    metrics.observe_analysis(VIDEO)
    metrics.requests.labels("GET", "/healthz", "200").inc()
    metrics.request_seconds.labels("GET", "/healthz").observe(0.1)
    metrics.jobs.labels("queued").inc()
    metrics.queue_length.set(0)
    metrics.model.labels("m", "1").set(1)
    known = {name for name, _ in samples(metrics)}
    dashboard = json.loads(DASHBOARD.read_text())
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bdfd_[a-z_]+", target["expr"])
    }
    assert len(used) >= 8
    assert used <= known, used - known
