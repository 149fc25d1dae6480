"""HTTP schemas (pydantic) of the API's own routes: requests, errors, models, health, the original
service's shape. An analysis's answer is in ``schemas/``, shared with the jobs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deepfake_detection.schemas.images import ModelRef


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, e.g. corrupt_media, too_large, overloaded")
    message: str = Field(description="for humans: what was wrong and how to fix it")


class ErrorResponse(BaseModel):
    error: ErrorDetail


def error_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """A route's documented errors (FastAPI's ``responses``): each status with its description,
    all with the one error body."""
    return {
        status: {"model": ErrorResponse, "description": text}
        for status, text in descriptions.items()
    }


class ImageOptions(BaseModel):
    """Per-request options of ``POST /v1/images`` (form fields, or keys of the JSON body)."""

    model_config = ConfigDict(extra="forbid")

    detector: str | None = Field(
        None, description="face detector (GET /v1/detectors); default: the service's"
    )
    threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="fake_probability at or above which a face is fake"
    )
    max_faces: int | None = Field(
        None, ge=1, description="score at most this many faces (largest first)"
    )
    explain: bool = Field(
        False, description="per face, an occlusion heatmap of what drove its score (PNG, base64)"
    )


class Base64ImageRequest(ImageOptions):
    """``POST /v1/images`` as JSON: the image bytes in base64, plus the options."""

    image_base64: str = Field(description="the image file's bytes, base64 (standard alphabet)")


class ModelResponse(BaseModel):
    name: str
    version: str
    architecture: str
    input_size: int
    threshold: float = Field(description="the threshold the service applies by default")
    card_threshold: float = Field(description="the threshold in the model card")
    crop: dict[str, object]
    metrics: dict[str, object]
    training: dict[str, object] | None


class ModelsResponse(BaseModel):
    models: list[ModelResponse]


class DetectorOut(BaseModel):
    name: str
    default: bool


class DetectorsResponse(BaseModel):
    detectors: list[DetectorOut]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    model: ModelRef


class CompatPrediction(BaseModel):
    prediction: Literal["Real", "Fake"]
    probability: float = Field(description="the probability of the predicted label")


class CompatImageResponse(BaseModel):
    face_detection_method: str = Field(description="the face detector that actually ran")
    predictions: list[CompatPrediction]
