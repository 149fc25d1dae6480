"""``POST /v1/videos``: the persons in a video, each with a timeline of scored faces, and a verdict.

Synchronous, for clips up to ``video_sync_max_duration_s``; longer ones go through ``/v1/jobs``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request

from deepfake_detection.analysis.video import VideoAnalysis
from deepfake_detection.api.deps import QuotaRoom, ServicesDep, VideoServicesDep
from deepfake_detection.api.forms.multipart import form_upload, open_form, read_options
from deepfake_detection.api.limits import most_frames, record_analysis, reserved_frames
from deepfake_detection.api.schemas import error_responses
from deepfake_detection.errors import PayloadTooLarge
from deepfake_detection.provenance import Provenance
from deepfake_detection.runtime.options import AnalysisOptions
from deepfake_detection.schemas.videos import VideoAnalysisResponse, video_response

router = APIRouter(prefix="/v1", tags=["videos"])

OPTION_FIELDS = tuple(AnalysisOptions.model_fields)

_ERRORS = error_responses(
    {
        400: "malformed request, empty or corrupt video",
        413: "upload, duration, frame size or decode time over the limits",
        415: "not a supported video (sniffed from the bytes: MP4, MOV, WebM, MKV, AVI)",
        422: "invalid options",
        503: "overloaded (Retry-After) or model not loaded",
    }
)


def _request_body() -> dict[str, Any]:
    form = AnalysisOptions.model_json_schema()
    form["properties"] = {
        "file": {"type": "string", "format": "binary", "description": "the video file"},
        **form["properties"],
    }
    form["required"] = ["file"]
    content = {"multipart/form-data": {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


@router.post("/videos", openapi_extra=_request_body(), responses=_ERRORS)
async def analyze_video(
    request: Request, services: ServicesDep, videos: VideoServicesDep, _quota: QuotaRoom
) -> VideoAnalysisResponse:
    """Score every person in a video. Multipart form: the video in `file`, options as fields."""
    async with open_form(request, allowed=("file", *OPTION_FIELDS)) as form:
        upload = form_upload(form, "file")
        options = read_options(form, AnalysisOptions)
        detector = services.models.detector(options.detector)
        chosen = services.models.video_options(options)
        analyze = partial(videos.analyzer.analyze, upload.file, chosen, detector=detector)
        read_provenance = partial(services.models.provenance.read, upload.file)

        def work() -> tuple[VideoAnalysis, Provenance]:
            return analyze(), read_provenance()

        most = most_frames(services.models.settings, "video", options)
        async with reserved_frames(request, most) as reservation:
            try:
                analysis, provenance = await services.run_cpu(work)
            except PayloadTooLarge as exc:
                message = f"{exc.message}; submit longer videos to POST /v1/jobs"
                raise PayloadTooLarge(message) from exc
            response = video_response(analysis, provenance)
            await record_analysis(request, response.model_dump(mode="json"), reservation)
    return response
