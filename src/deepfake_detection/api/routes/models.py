"""``GET /v1/models`` (the model card), ``GET /v1/detectors`` and ``GET /model`` (the card as a page
for people)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from deepfake_detection.api.deps import ServicesDep
from deepfake_detection.api.schemas import (
    DetectorOut,
    DetectorsResponse,
    ErrorResponse,
    ModelResponse,
    ModelsResponse,
)
from deepfake_detection.web.model_page import render_model_page

router = APIRouter(
    prefix="/v1",
    tags=["models"],
    responses={503: {"model": ErrorResponse, "description": "the model is not loaded"}},
)
page_router = APIRouter(include_in_schema=False)


@router.get("/models")
async def list_models(services: ServicesDep) -> ModelsResponse:
    """The served classifier's model card: version, threshold, metrics, training data."""
    card = services.models.card
    model = ModelResponse(
        name=card.name,
        version=card.version,
        architecture=card.architecture,
        input_size=card.input_size,
        threshold=services.models.analyzer.threshold,
        card_threshold=card.threshold,
        crop=card.crop.model_dump(mode="json"),
        metrics=card.metrics,
        training=None if card.training is None else card.training.shown(),
    )
    return ModelsResponse(models=[model])


@router.get("/detectors")
async def list_detectors(services: ServicesDep) -> DetectorsResponse:
    """The face detectors a request may ask for, and the default."""
    default = services.models.settings.detector
    return DetectorsResponse(
        detectors=[
            DetectorOut(name=n, default=n == default) for n in sorted(services.models.detectors)
        ]
    )


@page_router.get("/model")
async def model_page(services: ServicesDep) -> HTMLResponse:
    """The served model's card for people: intended use, limits, validation, training data."""
    text = render_model_page(services.models.card, services.models.analyzer.threshold)
    return HTMLResponse(text, headers={"Cache-Control": "no-cache"})
