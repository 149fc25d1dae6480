"""Security headers on every answer, and no ``server`` header naming the software.

JSON answers get a Content-Security-Policy that allows nothing (they are data, never a page to
render); HTML pages (``/docs`` and any page a route serves) keep a policy they set themselves, and
otherwise get one that forbids framing, plugins and a changed base URL but leaves their own scripts
and styles to them. ``dfd serve`` turns off uvicorn's ``server`` header; this middleware removes
one that any other server adds.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
DATA_HEADERS = {**ALWAYS, "Content-Security-Policy": DATA_POLICY}
"""What a JSON answer carries: also the 500 answer, which is made outside this middleware."""


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                page = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("Content-Security-Policy", PAGE_POLICY if page else DATA_POLICY)
                del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)
