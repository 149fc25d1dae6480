"""The app factory: ``create_app(settings)`` builds the FastAPI app; its lifespan loads the models.

The path of a request: the middleware stack (``install_middleware``, outermost first), then the
route of its resource (``routes/``), which reads its body with ``forms/`` and answers through
``schemas.py``; every error on the way is answered by ``errors.py``.

Nothing happens at import. ``uvicorn --factory deepfake_detection.api.app:create_app`` (what
``dfd serve`` runs) calls ``create_app()`` once per worker process, which reads the settings from
the environment; tests pass their own ``Settings`` and a fake classifier or detectors instead.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

from anyio import CapacityLimiter
from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware

from deepfake_detection import __version__
from deepfake_detection.api.errors import install_error_handlers
from deepfake_detection.api.job_lifespan import video_lifespan
from deepfake_detection.api.limits import RateLimits
from deepfake_detection.api.middleware.access_log import AccessLogMiddleware
from deepfake_detection.api.middleware.auth import AuthMiddleware
from deepfake_detection.api.middleware.body_limit import BodyLimitMiddleware, body_limits
from deepfake_detection.api.middleware.metrics import MetricsMiddleware
from deepfake_detection.api.middleware.rate_limit import RateLimitMiddleware
from deepfake_detection.api.middleware.security_headers import SecurityHeadersMiddleware
from deepfake_detection.api.middleware.upload_guard import UploadGuardMiddleware
from deepfake_detection.api.routes import (
    artefacts,
    compat,
    health,
    images,
    jobs,
    metrics,
    models,
    videos,
)
from deepfake_detection.api.schemas import ErrorResponse
from deepfake_detection.api.services import InFlightLimiter, Services
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.config import Settings, get_settings, legacy_data_dir_hint
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.keys.base import create_key_store
from deepfake_detection.monitoring.logs import configure_logging
from deepfake_detection.runtime.models import load_models
from deepfake_detection.shared.cpus import usable_cpus
from deepfake_detection.web import page
from deepfake_detection.web.docs import install_docs

logger = logging.getLogger(__name__)

# Every router the service mounts, in order. A new resource adds its module's router here.
ROUTERS: tuple[APIRouter, ...] = (
    metrics.router,
    health.router,
    models.router,
    models.page_router,
    images.router,
    videos.router,
    jobs.router,
    artefacts.router,
    compat.router,
    page.router,
)


def create_app(
    settings: Settings | None = None,
    *,
    classifier: Classifier | None = None,
    detectors: Mapping[str, FaceDetector] | None = None,
    routers: Sequence[APIRouter] = ROUTERS,
) -> FastAPI:
    """The service; ``classifier`` and ``detectors`` replace the ones the lifespan loads (tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if hint := legacy_data_dir_hint(settings.data_dir):
            logger.warning("%s", hint)
        try:
            app.state.services = load_services(settings, classifier, detectors)
        except ModelUnavailable as exc:
            # Stay up, not ready: /healthz answers, /readyz and the analyses say why (503).
            logger.error("the service is not ready: %s", exc.message)
            app.state.unavailable = exc.message
        async with video_lifespan(app):
            yield

    app = FastAPI(
        title="Deepfake detection",
        version=__version__,
        summary="Scores every face in an image as real or fake with our own trained model.",
        lifespan=lifespan,
        # The docs are served offline by web.docs, not from FastAPI's CDN page.
        docs_url=None,
        redoc_url=None,
        # Starlette's redirect to the other form of a path (with or without its trailing slash)
        # builds an absolute URL from the client's Host header: such a path is a 404 instead.
        redirect_slashes=False,
        responses={500: {"model": ErrorResponse, "description": "a bug: see the server log"}},
    )
    app.state.settings = settings
    app.state.services = None
    app.state.unavailable = "the service is starting"
    install_error_handlers(app)
    install_middleware(app, settings)
    for router in routers:
        app.include_router(router)
    install_docs(app)
    return app


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """The middleware stack. A request meets them in this order, outermost first:

    1. security headers (``middleware/security_headers.py``): on every answer, the refusals of
       the middlewares below included;
    2. access log (``access_log.py``, ``DFD_ACCESS_LOG``): the request id, one JSON line;
    3. metrics (``metrics.py``): every request counted and timed, refusals included;
    4. API keys (``auth.py``, ``DFD_AUTH=keys``): 401 without a valid key;
    5. rate limits (``rate_limit.py``, with keys or ``DFD_RATE_LIMIT``): 429 over a limit;
    6. upload guard (``upload_guard.py``): 503 while too many bodies arrive, 408 for a slow one;
    7. body limit (``body_limit.py``): 413 over the route's limit;

    then the route, inside FastAPI's exception middleware (``errors.py``). Keys and limits answer
    before an upload is counted or read. Before all of them, the server bounds the time a
    request's headers take (``header_timeout.py``).
    """
    configure_logging(settings.log_level)
    keys_on = settings.auth == "keys"
    limits = RateLimits(settings) if keys_on or settings.rate_limit else None
    app.state.rate_limits = limits
    stack = [Middleware(SecurityHeadersMiddleware)]
    if settings.access_log:
        stack.append(Middleware(AccessLogMiddleware))
    stack.append(Middleware(MetricsMiddleware))
    if keys_on:
        store = create_key_store(settings)
        stack.append(
            Middleware(AuthMiddleware, store=store, metrics_open=not settings.metrics_auth)
        )
    if limits is not None:
        stack.append(Middleware(RateLimitMiddleware, limits=limits))
    guard = Middleware(
        UploadGuardMiddleware, timeout_s=settings.body_timeout_s, max_uploads=settings.max_uploads
    )
    stack += [guard, Middleware(BodyLimitMiddleware, limits=body_limits(settings))]
    # Starlette wraps each middleware it is given around those given before: innermost first.
    for middleware in reversed(stack):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)


def load_services(
    settings: Settings,
    classifier: Classifier | None = None,
    detectors: Mapping[str, FaceDetector] | None = None,
) -> Services:
    """Load the classifier and every detector once for this process, and warm them up."""
    models = load_models(settings, classifier, detectors)
    models.warm_up()
    return Services(
        models=models,
        in_flight=InFlightLimiter(settings.max_in_flight),
        cpu_slots=CapacityLimiter(usable_cpus()),
    )
