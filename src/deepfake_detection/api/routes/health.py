"""``GET /healthz`` (the process answers) and ``GET /readyz`` (the model is loaded)."""

from __future__ import annotations

from fastapi import APIRouter

from deepfake_detection.api.deps import ServicesDep
from deepfake_detection.api.schemas import ErrorResponse, Health, Readiness
from deepfake_detection.schemas.images import ModelRef

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> Health:
    """Alive: the process answers HTTP. Says nothing about the model (see /readyz)."""
    return Health()


@router.get(
    "/readyz",
    responses={503: {"model": ErrorResponse, "description": "the model is not loaded"}},
)
async def readyz(services: ServicesDep) -> Readiness:
    """Ready: the model and the detectors are loaded and warmed up."""
    card = services.models.card
    return Readiness(model=ModelRef(name=card.name, version=card.version))
