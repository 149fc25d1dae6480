"""The answer of an image analysis (``POST /v1/images``, an image job's result), built from the
domain values of ``analysis.results``."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import BaseModel, Field

from deepfake_detection.analysis.explain import Explanation
from deepfake_detection.analysis.results import SkippedFace
from deepfake_detection.analysis.verdict import DecisionRule, Verdict
from deepfake_detection.provenance import Provenance
from deepfake_detection.runtime.models import Analyzed
from deepfake_detection.schemas.provenance import ProvenanceOut, provenance_out
from deepfake_detection.schemas.wire import (
    BoxOut,
    box_out,
    hundredths,
    landmarks_out,
    optional_probability,
    probability,
)
from deepfake_detection.shared.faces import Box, Label, Reason, ScoredFace


class ExplanationOut(BaseModel):
    method: Literal["occlusion"] = "occlusion"
    heatmap_png_base64: str = Field(
        description="the face crop with the heatmap over it, on one colour scale for every face: "
        "yellow to red where occluding the region lowered the fake probability (red: by 0.25 or "
        "more), no colour where it did not"
    )
    region: BoxOut = Field(description="the image pixels the crop covers (may pass the edges)")
    grid: int = Field(description="cells per side of the occlusion lattice")


class QualityOut(BaseModel):
    face_px: float = Field(description="the face box's shorter side, in pixels of the image")
    sharpness: float | None = Field(
        description="variance of the Laplacian of the face crop (low: blurred or compressed); "
        "below the model card's quality.min_sharpness a face is uncertain, low_quality"
    )
    blockiness: float | None = Field(
        description="strength of the 8 px compression block grid in the face's region: about 1 "
        "for none, 1.5 and more where JPEG or video blocks show"
    )
    colourfulness: float | None = Field(
        description="0 for a greyscale face, about 15-40 for natural colour"
    )


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
    quality: QualityOut | None = Field(
        None,
        description="the face's input quality, what a low_quality reason refers to",
        exclude_if=lambda value: value is None,
    )
    explanation: ExplanationOut | None = Field(
        None, description="with explain=true only", exclude_if=lambda value: value is None
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
    provenance: ProvenanceOut = Field(
        description="what the file says about its origin (C2PA, XMP, PNG text, EXIF); it does "
        "not change any score"
    )


def image_response(
    analyzed: Analyzed, *, total_ms: float, provenance: Provenance
) -> ImageAnalysisResponse:
    analysis, timings = analyzed.analysis, analyzed.analysis.timings
    explanations = analyzed.explanations or (None,) * len(analysis.faces)
    stages = {
        "decode": analyzed.decode_ms,
        "detect": timings.detect_ms,
        "crop": timings.crop_ms,
        "classify": timings.classify_ms,
    }
    if analyzed.explanations:
        stages["explain"] = analyzed.explain_ms
    # Wall time in the service: reading the upload, waiting for a CPU slot, all stages.
    stages["total"] = total_ms
    return ImageAnalysisResponse(
        image=ImageSize(width=analysis.width, height=analysis.height),
        detector=analysis.detector,
        model=ModelRef(name=analysis.model_name, version=analysis.model_version),
        threshold=probability(analysis.threshold),
        uncertain_band=band_out(analysis.rule),
        verdict=analysis.verdict,
        verdict_reason=analysis.verdict_reason,
        fake_probability=optional_probability(analysis.fake_probability),
        faces=[_face(f, e) for f, e in zip(analysis.faces, explanations, strict=True)],
        skipped_faces=[_skipped(face) for face in analysis.skipped],
        timings_ms={stage: hundredths(ms) for stage, ms in stages.items()},
        provenance=provenance_out(provenance),
    )


def explanation_out(explanation: Explanation) -> ExplanationOut:
    x1, y1, x2, y2 = explanation.region
    return ExplanationOut(
        heatmap_png_base64=base64.b64encode(explanation.overlay_png()).decode("ascii"),
        region=box_out(Box(x1, y1, x2, y2)),
        grid=explanation.heatmap.shape[0],
    )


def _face(face: ScoredFace, explanation: Explanation | None = None) -> FaceOut:
    return FaceOut(
        box=box_out(face.box),
        landmarks=landmarks_out(face.landmarks),
        detector_confidence=probability(face.confidence),
        fake_probability=probability(face.fake_probability),
        label=face.label,
        reason=face.reason,
        sharpness=None if face.sharpness is None else hundredths(face.sharpness),
        quality=QualityOut(
            face_px=hundredths(min(face.box.width, face.box.height)),
            sharpness=None if face.sharpness is None else hundredths(face.sharpness),
            blockiness=None if face.blockiness is None else hundredths(face.blockiness),
            colourfulness=None if face.colourfulness is None else hundredths(face.colourfulness),
        ),
        explanation=None if explanation is None else explanation_out(explanation),
    )


def band_out(rule: DecisionRule) -> BandOut:
    return BandOut(low=probability(rule.low), high=probability(rule.high))


def _skipped(face: SkippedFace) -> SkippedFaceOut:
    confidence = probability(face.confidence)
    return SkippedFaceOut(box=box_out(face.box), detector_confidence=confidence, reason=face.reason)
