"""HTTP schemas (pydantic): what the API accepts and answers. Domain values live in ``faces.py`` and
``analysis.py``; the routes translate between the two."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepfake_detection.faces import Label

Verdict = Literal["real", "fake", "no_face"]

# Answers carry what the numbers mean, not float32 noise: pixels to 0.1, scores to 1e-6.
PIXEL_DIGITS, SCORE_DIGITS = 1, 6


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, e.g. corrupt_media, too_large, overloaded")
    message: str = Field(description="for humans: what was wrong and how to fix it")


class ErrorResponse(BaseModel):
    error: ErrorDetail


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


class BoxOut(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float


class ExplanationOut(BaseModel):
    method: Literal["occlusion"] = "occlusion"
    heatmap_png_base64: str = Field(
        description="the face crop with the heatmap over it (red: occluding it moved the score most)"
    )
    region: BoxOut = Field(description="the image pixels the crop covers (may pass the edges)")
    grid: int = Field(description="cells per side of the occlusion lattice")


class FaceOut(BaseModel):
    box: BoxOut = Field(description="in pixels of the original image (after EXIF orientation)")
    landmarks: list[tuple[float, float]] | None = Field(
        description="eyes, nose, mouth corners (x, y) where the detector gives them"
    )
    detector_confidence: float
    fake_probability: float = Field(ge=0.0, le=1.0)
    label: Label
    explanation: ExplanationOut | None = Field(
        None, description="with explain=true only", exclude_if=lambda value: value is None
    )


class SkippedFaceOut(BaseModel):
    box: BoxOut
    detector_confidence: float
    reason: str


class ImageSize(BaseModel):
    width: int
    height: int


class ModelRef(BaseModel):
    name: str
    version: str


class ImageAnalysisResponse(BaseModel):
    image: ImageSize
    detector: str = Field(description="the face detector that ran")
    model: ModelRef
    threshold: float
    verdict: Verdict = Field(description="fake if any face is fake; no_face when none was scored")
    faces: list[FaceOut]
    skipped_faces: list[SkippedFaceOut]
    timings_ms: dict[str, float] = Field(description="milliseconds per stage, and total")


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
