"""``POST /v1/images``: every face in one image, each scored real or fake."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from fastapi import APIRouter, Request

from deepfake_detection.analysis import SkippedFace
from deepfake_detection.api.deps import ServicesDep
from deepfake_detection.api.schemas import (
    PIXEL_DIGITS,
    SCORE_DIGITS,
    Base64ImageRequest,
    BoxOut,
    ErrorResponse,
    FaceOut,
    ImageAnalysisResponse,
    ImageOptions,
    ImageSize,
    ModelRef,
    SkippedFaceOut,
)
from deepfake_detection.api.services import Analyzed
from deepfake_detection.api.uploads import read_image_upload
from deepfake_detection.faces import Box, ScoredFace

router = APIRouter(prefix="/v1", tags=["images"])


def _request_body() -> dict[str, Any]:
    """The OpenAPI description of the body, which the route reads itself (form or JSON)."""
    form = ImageOptions.model_json_schema()
    form["properties"] = {
        "file": {"type": "string", "format": "binary", "description": "the image file"},
        **form["properties"],
    }
    form["required"] = ["file"]
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": form},
                "application/json": {"schema": Base64ImageRequest.model_json_schema()},
            },
        }
    }


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "malformed request, empty or corrupt image",
        413: "upload or image (pixels) too large",
        415: "not a supported image type (sniffed from the bytes) or request type",
        422: "invalid options",
        503: "overloaded (Retry-After) or model not loaded",
    }.items()
}


@router.post("/images", openapi_extra=_request_body(), responses=_ERRORS)
async def analyze_image(request: Request, services: ServicesDep) -> ImageAnalysisResponse:
    """Score every face in an image. Send multipart/form-data with the image in `file` and the
    options as fields, or JSON `{"image_base64": ..., "detector": ..., ...}`."""
    start = time.perf_counter()
    upload = await read_image_upload(request)
    options = upload.options
    detector = services.detector(options.detector)
    max_faces = services.max_faces(options.max_faces)
    work = partial(services.analyze, upload.data, detector, options.threshold, max_faces)
    analyzed = await services.run_cpu(work)
    return image_response(analyzed, total_ms=(time.perf_counter() - start) * 1000)


def image_response(analyzed: Analyzed, *, total_ms: float) -> ImageAnalysisResponse:
    analysis, timings = analyzed.analysis, analyzed.analysis.timings
    return ImageAnalysisResponse(
        image=ImageSize(width=analysis.width, height=analysis.height),
        detector=analysis.detector,
        model=ModelRef(name=analysis.model_name, version=analysis.model_version),
        threshold=analysis.threshold,
        verdict=analysis.verdict,
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
    )


def _skipped(face: SkippedFace) -> SkippedFaceOut:
    confidence = round(face.confidence, SCORE_DIGITS)
    return SkippedFaceOut(box=_box(face.box), detector_confidence=confidence, reason=face.reason)
