"""``GET /healthz`` (the process answers) and ``GET /readyz`` (the model is loaded and jobs can
progress)."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request

from deepfake_detection.api.deps import ServicesDep
from deepfake_detection.api.schemas import ErrorResponse, Health, Readiness
from deepfake_detection.api.services import VideoServices
from deepfake_detection.errors import JobsUnavailable
from deepfake_detection.schemas.images import ModelRef

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> Health:
    """Alive: the process answers HTTP. Says nothing about the model (see /readyz)."""
    return Health()


@router.get(
    "/readyz",
    responses={
        503: {
            "model": ErrorResponse,
            "description": "the model is not loaded, or jobs cannot progress (a full data volume, "
            "stopped job workers, an unreachable job broker)",
        }
    },
)
async def readyz(request: Request, services: ServicesDep) -> Readiness:
    """Ready: the model and the detectors are loaded and warmed up, and jobs can progress."""
    videos: VideoServices | None = getattr(request.app.state, "videos", None)
    if videos is not None:
        problem = await anyio.to_thread.run_sync(videos.jobs.problem)
        if problem is not None:
            raise JobsUnavailable(problem)
    card = services.models.card
    return Readiness(model=ModelRef(name=card.name, version=card.version))
