"""``POST /v1/images``: every face in one image, each scored real or fake."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from fastapi import APIRouter, Request

from deepfake_detection.api.deps import QuotaRoom, ServicesDep
from deepfake_detection.api.forms.image import read_image_upload, refuse_video
from deepfake_detection.api.limits import record_analysis, reserved_frames
from deepfake_detection.api.schemas import Base64ImageRequest, ImageOptions, error_responses
from deepfake_detection.provenance import Provenance
from deepfake_detection.runtime.models import Analyzed
from deepfake_detection.schemas.images import ImageAnalysisResponse, image_response

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


_ERRORS = error_responses(
    {
        400: "malformed request, empty or corrupt image",
        413: "upload or image (pixels) too large",
        415: "not a supported image type (sniffed from the bytes) or request type",
        422: "invalid options",
        503: "overloaded (Retry-After) or model not loaded",
    }
)


@router.post("/images", openapi_extra=_request_body(), responses=_ERRORS)
async def analyze_image(
    request: Request, services: ServicesDep, _quota: QuotaRoom
) -> ImageAnalysisResponse:
    """Score every face in an image. Send multipart/form-data with the image in `file` and the
    options as fields, or JSON `{"image_base64": ..., "detector": ..., ...}`."""
    start = time.perf_counter()
    upload = await read_image_upload(request)
    refuse_video(upload.data)
    options = upload.options
    detector = services.models.detector(options.detector)
    max_faces = services.models.max_faces(options.max_faces)
    analyze = partial(
        services.models.analyze,
        upload.data,
        detector,
        options.threshold,
        max_faces,
        explain=options.explain,
    )
    read_provenance = partial(services.models.provenance.read, upload.data)

    def work() -> tuple[Analyzed, Provenance]:
        return analyze(), read_provenance()

    explained = services.models.settings.explain_max_faces if options.explain else 0
    async with reserved_frames(request, 1 + explained) as reservation:
        analyzed, provenance = await services.run_cpu(work)
        total_ms = (time.perf_counter() - start) * 1000
        response = image_response(analyzed, total_ms=total_ms, provenance=provenance)
        await record_analysis(request, response.model_dump(mode="json"), reservation)
    return response
