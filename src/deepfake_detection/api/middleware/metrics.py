"""Every request counted and timed for ``/metrics`` (``routes/metrics.py``), labelled by method, route
template and status from fixed sets (``labels.py``). The analysis routes and the jobs add the
per-stage times, faces and verdicts (``limits.record_analysis``)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.labels import method_label, route_template
from deepfake_detection.monitoring.metrics import ServiceMetrics, get_metrics


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
