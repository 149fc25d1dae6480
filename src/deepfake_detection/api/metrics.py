"""``GET /metrics`` (Prometheus text format) and the middleware that counts every request.

Requests are labelled by method, route template and status, from fixed sets (``labels.py``); the
analysis routes and the jobs add the per-stage times, faces and verdicts (``record_analysis``); the
queue length and the model are read when the metrics are scraped.
"""

from __future__ import annotations

import time

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.labels import method_label, route_template
from deepfake_detection.monitoring.metrics import ServiceMetrics, exposition, get_metrics

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


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics or get_metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method, route = method_label(scope), route_template(scope)
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.request_seconds.labels(method, route).observe(time.perf_counter() - start)
