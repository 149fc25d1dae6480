"""``GET /metrics``: the service's Prometheus metrics (text format). The queue length and the model
are read when the metrics are scraped; requests are counted by ``middleware/metrics.py``."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from deepfake_detection.monitoring.metrics import exposition, get_metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus metrics of the service (and of its workers, in multiprocess mode)."""
    services = request.app.state.services
    if services is not None:
        get_metrics().model.labels(services.models.card.name, services.models.card.version).set(1)
    videos = getattr(request.app.state, "videos", None)
    if videos is not None:
        length = await anyio.to_thread.run_sync(videos.jobs.backend.queue_length)
        get_metrics().queue_length.set(length)
    body = await anyio.to_thread.run_sync(exposition)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
