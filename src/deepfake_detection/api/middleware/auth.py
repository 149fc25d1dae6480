"""API keys on the HTTP API (``DFD_AUTH=keys``): every route but the open ones (``is_open``) needs a
key, sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

``AuthMiddleware`` answers 401 ``unauthorized`` (JSON, ``WWW-Authenticate: Bearer``) without a key
or with an unknown or revoked one, before the body is read; otherwise it puts the key's record in
the request's state (``caller_key``), where the rate limits, the job routes (ownership, through
``deps.Caller``) and the access log read it.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from deepfake_detection.api.errors import package_error_response
from deepfake_detection.errors import Unauthorized
from deepfake_detection.keys.base import KeyStore
from deepfake_detection.keys.key import ApiKey

STATE_KEY = "api_key"
# Liveness, readiness, the API's documentation, the page and the model's page stay open: probes
# and humans need them, and a browser cannot send a key before the page has asked for one. None of
# them analyses anything or reveals a job.
OPEN_PATHS = frozenset(
    {
        "/",
        "/model",
        "/healthz",
        "/readyz",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
    }
)
# The page's and the docs' static files, served from the package by name.
OPEN_PREFIXES = ("/ui/", "/docs/assets/")
METRICS_PATH = "/metrics"


def presented_secret(headers: Headers) -> str | None:
    """The key a request carries, from ``Authorization: Bearer`` or ``X-API-Key``."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key", "").strip() or None


def is_open(path: str, *, metrics_open: bool) -> bool:
    if path in OPEN_PATHS or (metrics_open and path == METRICS_PATH):
        return True
    # One file name under an open folder, never a path that climbs out of it.
    return any(
        path.startswith(prefix) and "/" not in path[len(prefix) :] and ".." not in path
        for prefix in OPEN_PREFIXES
    )


class AuthMiddleware:
    def __init__(self, app: ASGIApp, store: KeyStore, metrics_open: bool = True) -> None:
        self.app = app
        self.store = store
        self.metrics_open = metrics_open

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(scope["path"], metrics_open=self.metrics_open):
            await self.app(scope, receive, send)
            return
        secret = presented_secret(Headers(scope=scope))
        key = None if secret is None else await anyio.to_thread.run_sync(self.store.lookup, secret)
        if key is None or key.revoked:
            if secret is None:
                message = "an API key is required: send 'Authorization: Bearer <key>'"
            else:
                message = "the API key is unknown or revoked"
            response = package_error_response(Unauthorized(message), {"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[STATE_KEY] = key
        await self.app(scope, receive, send)


def caller_key(scope: Scope) -> ApiKey | None:
    """The key the request was authenticated with; ``None`` with keys off."""
    key: ApiKey | None = scope.get("state", {}).get(STATE_KEY)
    return key
