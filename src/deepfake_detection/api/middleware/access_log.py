"""One JSON log line per request, and the request id.

The id is the client's ``X-Request-ID`` when it is a sane token (up to 128 letters, digits and
``-_.:``), else a new one; it is answered in ``X-Request-ID`` either way. The line holds the method
and the route template as ``/metrics`` labels them (``labels.py``), the status, the duration and
the API key's name: never the body, the query string or the key itself.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.labels import method_label, route_template
from deepfake_detection.api.middleware.auth import caller_key
from deepfake_detection.monitoring.logs import ACCESS_LOGGER

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

logger = logging.getLogger(ACCESS_LOGGER)


def request_id(headers: Headers) -> str:
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = request_id(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = rid
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            key = caller_key(scope)
            method, route = method_label(scope), route_template(scope)
            fields = {
                "request_id": rid,
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "key": None if key is None else key.name,
            }
            logger.info("%s %s %d", method, route, status, extra={"fields": fields})
