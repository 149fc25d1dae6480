"""The rate limits in front of the routes (``DFD_AUTH=keys`` or ``DFD_RATE_LIMIT``): 429
``rate_limited`` over a limit, before the body is read, and ``RateLimit-*`` headers on every limited
answer. The counters are in ``api/limits.py``; health, readiness, docs and metrics are never limited.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.errors import package_error_response
from deepfake_detection.api.limits import RateLimits
from deepfake_detection.api.middleware.auth import caller_key, is_open
from deepfake_detection.errors import RateLimited


class RateLimitMiddleware:
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
            headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(exc.retry_after_s)}
            await package_error_response(exc, headers)(scope, receive, send)
            return
        if window is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(window.headers())
            await send(message)

        await self.app(scope, receive, send_with_headers)
