"""What stands in front of every route, outermost first: the access log (request id), the request
metrics, the API keys (``DFD_AUTH=keys``) and the rate limits; and the ``/metrics`` route.

Each piece is installed only when its setting asks for it, so the single-user ``make run`` stays
as it was, plus the log line and the metrics.
"""

from __future__ import annotations

import anyio.to_thread
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.access_log import AccessLogMiddleware
from deepfake_detection.api.auth import AuthMiddleware, caller_key, is_open
from deepfake_detection.api.errors import error_response
from deepfake_detection.api.metrics import MetricsMiddleware
from deepfake_detection.api.metrics import router as metrics_router
from deepfake_detection.api.ratelimit import RateLimits
from deepfake_detection.config import Settings
from deepfake_detection.errors import RateLimited
from deepfake_detection.keys.base import create_key_store
from deepfake_detection.monitoring.logs import configure_logging


def install_gateway(app: FastAPI, settings: Settings) -> None:
    """Add the middleware (after the app's own, so these run first) and ``/metrics``."""
    configure_logging(settings.log_level)
    keys_on = settings.auth == "keys"
    limits = RateLimits(settings) if keys_on or settings.rate_limit else None
    app.state.rate_limits = limits
    if limits is not None:
        app.add_middleware(RateLimitMiddleware, limits=limits)
    if keys_on:
        store = create_key_store(settings)
        app.add_middleware(AuthMiddleware, store=store, metrics_open=not settings.metrics_auth)
    app.add_middleware(MetricsMiddleware)
    if settings.access_log:
        app.add_middleware(AccessLogMiddleware)
    app.include_router(metrics_router)


class RateLimitMiddleware:
    """429 ``rate_limited`` over a limit (before the body is read); ``RateLimit-*`` headers on
    every limited answer. Health, readiness, docs and metrics are never limited."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(scope["path"], metrics_open=True):
            await self.app(scope, receive, send)
            return
        try:
            window = await anyio.to_thread.run_sync(self.limits.hit, caller_key(scope))
        except RateLimited as exc:
            headers = {
                "Retry-After": str(exc.retry_after_s),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(exc.retry_after_s),
            }
            await error_response(429, exc.code, exc.message, headers)(scope, receive, send)
            return
        if window is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(window.headers())
            await send(message)

        await self.app(scope, receive, send_with_headers)
