"""The app factory: ``create_app(settings)`` builds the FastAPI app; its lifespan loads the models.

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

from deepfake_detection import __version__
from deepfake_detection.api.body_limit import BodyLimitMiddleware
from deepfake_detection.api.errors import install_error_handlers
from deepfake_detection.api.gateway import install_gateway
from deepfake_detection.api.job_lifespan import video_body_limits, video_lifespan
from deepfake_detection.api.limiter import InFlightLimiter
from deepfake_detection.api.routes import artefacts, compat, health, images, jobs, models, videos
from deepfake_detection.api.schemas import ErrorResponse
from deepfake_detection.api.security_headers import SecurityHeadersMiddleware
from deepfake_detection.api.services import Services
from deepfake_detection.api.upload_guard import UploadGuardMiddleware
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.config import Settings, get_settings, legacy_data_dir_hint
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.runtime.models import load_models
from deepfake_detection.shared.cpus import usable_cpus
from deepfake_detection.web import page
from deepfake_detection.web.docs import install_docs

logger = logging.getLogger(__name__)

# Every router the service mounts, in order. A new resource adds its module's router here.
ROUTERS: tuple[APIRouter, ...] = (
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

# Room for the multipart framing and the option fields, or for the JSON keys around a base64 image.
_BODY_OVERHEAD = 64 * 1024


def request_body_limit(settings: Settings) -> int:
    """Bytes a request body may have: an upload of ``max_upload_bytes``, base64-encoded, plus room
    for the rest of the body. The decoded image is checked against ``max_upload_bytes`` itself."""
    return -(-settings.max_upload_bytes // 3) * 4 + _BODY_OVERHEAD


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
    limits = {"/": request_body_limit(settings), **video_body_limits(settings)}
    app.add_middleware(BodyLimitMiddleware, limits=limits)
    app.add_middleware(
        UploadGuardMiddleware, timeout_s=settings.body_timeout_s, max_uploads=settings.max_uploads
    )
    # Keys, limits, metrics and the access log answer before an upload is counted or read.
    install_gateway(app, settings)
    app.add_middleware(SecurityHeadersMiddleware)
    for router in routers:
        app.include_router(router)
    install_docs(app)
    return app


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
