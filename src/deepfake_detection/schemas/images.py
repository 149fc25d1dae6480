"""The answer of an image analysis (``POST /v1/images``, an image job's result), built from the
domain values of ``analysis.results``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deepfake_detection.analysis.results import SkippedFace
from deepfake_detection.analysis.verdict import DecisionRule, Verdict
from deepfake_detection.runtime.models import Analyzed
from deepfake_detection.shared.faces import Box, Label, Reason, ScoredFace

# Answers carry what the numbers mean, not float32 noise: pixels to 0.1, scores to 1e-6.
PIXEL_DIGITS, SCORE_DIGITS = 1, 6


class BoxOut(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float


class FaceOut(BaseModel):
    box: BoxOut = Field(description="in pixels of the original image (after EXIF orientation)")
    landmarks: list[tuple[float, float]] | None = Field(
        description="eyes, nose, mouth corners (x, y) where the detector gives them"
    )
    detector_confidence: float
    fake_probability: float = Field(ge=0.0, le=1.0)
    label: Label = Field(description="real, fake, or uncertain (see reason)")
    reason: Reason | None = Field(
        description="why uncertain: borderline (score in the uncertain band), face_too_small, "
        "low_quality (blurred or heavily compressed); null otherwise"
    )
    sharpness: float | None = Field(
        description="variance of the Laplacian of the face crop (low: blurred or compressed)"
    )


class BandOut(BaseModel):
    low: float = Field(description="scores from here (inclusive) ...")
    high: float = Field(description="... to here (exclusive) are uncertain")


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
    uncertain_band: BandOut
    verdict: Verdict = Field(
        description="fake if any face is fake, real if all are real, uncertain otherwise; "
        "no_face when none was scored"
    )
    verdict_reason: Reason | None = Field(description="why the verdict is uncertain")
    fake_probability: float | None = Field(description="the highest over the faces")
    faces: list[FaceOut]
    skipped_faces: list[SkippedFaceOut]
    timings_ms: dict[str, float] = Field(description="milliseconds per stage, and total")


def image_response(analyzed: Analyzed, *, total_ms: float) -> ImageAnalysisResponse:
    analysis, timings = analyzed.analysis, analyzed.analysis.timings
    return ImageAnalysisResponse(
        image=ImageSize(width=analysis.width, height=analysis.height),
        detector=analysis.detector,
        model=ModelRef(name=analysis.model_name, version=analysis.model_version),
        threshold=analysis.threshold,
        uncertain_band=band_out(analysis.rule),
        verdict=analysis.verdict,
        verdict_reason=analysis.verdict_reason,
        fake_probability=_score(analysis.fake_probability),
        faces=[_face(face) for face in analysis.faces],
        skipped_faces=[_skipped(face) for face in analysis.skipped],
        timings_ms={
            "decode": round(analyzed.decode_ms, 2),
            "detect": round(timings.detect_ms, 2),
            "crop": round(timings.crop_ms, 2),
            "classify": round(timings.classify_ms, 2),
            # Wall time in the service: reading the upload, waiting for a CPU slot, all stages.
            "total": round(total_ms, 2),
        },
    )


def _box(box: Box) -> BoxOut:
    x1, y1, x2, y2 = (round(v, PIXEL_DIGITS) for v in (box.x1, box.y1, box.x2, box.y2))
    return BoxOut(x1=x1, y1=y1, x2=x2, y2=y2)


def _face(face: ScoredFace) -> FaceOut:
    landmarks = None
    if face.landmarks is not None:
        landmarks = [(round(x, PIXEL_DIGITS), round(y, PIXEL_DIGITS)) for x, y in face.landmarks]
    return FaceOut(
        box=_box(face.box),
        landmarks=landmarks,
        detector_confidence=round(face.confidence, SCORE_DIGITS),
        fake_probability=round(face.fake_probability, SCORE_DIGITS),
        label=face.label,
        reason=face.reason,
        sharpness=None if face.sharpness is None else round(face.sharpness, 2),
    )


def band_out(rule: DecisionRule) -> BandOut:
    return BandOut(low=round(rule.low, SCORE_DIGITS), high=round(rule.high, SCORE_DIGITS))


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DIGITS)


def _skipped(face: SkippedFace) -> SkippedFaceOut:
    confidence = round(face.confidence, SCORE_DIGITS)
    return SkippedFaceOut(box=_box(face.box), detector_confidence=confidence, reason=face.reason)
