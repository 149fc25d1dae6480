"""The answer of an image analysis (``POST /v1/images``, an image job's result), built from the
domain values of ``analysis.results``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deepfake_detection.analysis.results import SkippedFace
from deepfake_detection.analysis.verdict import Verdict
from deepfake_detection.runtime.models import Analyzed
from deepfake_detection.schemas.wire import (
    BoxOut,
    box_out,
    landmarks_out,
    milliseconds,
    probability,
)
from deepfake_detection.shared.faces import Label, ScoredFace


class FaceOut(BaseModel):
    box: BoxOut = Field(description="in pixels of the original image (after EXIF orientation)")
    landmarks: list[tuple[float, float]] | None = Field(
        description="eyes, nose, mouth corners (x, y) where the detector gives them"
    )
    detector_confidence: float
    fake_probability: float = Field(ge=0.0, le=1.0)
    label: Label


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


def image_response(analyzed: Analyzed, *, total_ms: float) -> ImageAnalysisResponse:
    analysis, timings = analyzed.analysis, analyzed.analysis.timings
    return ImageAnalysisResponse(
        image=ImageSize(width=analysis.width, height=analysis.height),
        detector=analysis.detector,
        model=ModelRef(name=analysis.model_name, version=analysis.model_version),
        threshold=probability(analysis.threshold),
        verdict=analysis.verdict,
        faces=[_face(face) for face in analysis.faces],
        skipped_faces=[_skipped(face) for face in analysis.skipped],
        timings_ms={
            "decode": milliseconds(analyzed.decode_ms),
            "detect": milliseconds(timings.detect_ms),
            "crop": milliseconds(timings.crop_ms),
            "classify": milliseconds(timings.classify_ms),
            # Wall time in the service: reading the upload, waiting for a CPU slot, all stages.
            "total": milliseconds(total_ms),
        },
    )


def _face(face: ScoredFace) -> FaceOut:
    return FaceOut(
        box=box_out(face.box),
        landmarks=landmarks_out(face.landmarks),
        detector_confidence=probability(face.confidence),
        fake_probability=probability(face.fake_probability),
        label=face.label,
    )


def _skipped(face: SkippedFace) -> SkippedFaceOut:
    confidence = probability(face.confidence)
    return SkippedFaceOut(box=box_out(face.box), detector_confidence=confidence, reason=face.reason)
