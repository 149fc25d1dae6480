"""The original Flask service's API, kept so that its clients work unchanged.

``POST /detect_deepfake_image`` takes the form fields ``image``, ``face_detection`` (``1``/``0``)
and ``face_detection_method`` (``SSD`` or ``MTCNN``) and answers
``{"face_detection_method": ..., "predictions": [{"prediction": "Real"|"Fake", "probability": p}]}``
with ``p`` the probability of the predicted label, one prediction per face. MTCNN is not available
offline: the service's default detector runs instead, and the answer names the detector that ran.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from deepfake_detection.api.deps import QuotaRoom, ServicesDep
from deepfake_detection.api.job_lifespan import VideoServicesDep
from deepfake_detection.api.schemas import CompatImageResponse, CompatPrediction, ErrorResponse
from deepfake_detection.api.services import Services
from deepfake_detection.api.uploads import form_file, form_text, open_form
from deepfake_detection.api.usage import reserved_frames
from deepfake_detection.api.video_compat import detect_deepfake_video as analyze_compat_video
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.schemas.wire import probability as wire_probability
from deepfake_detection.shared.faces import ScoredFace
from deepfake_detection.web.page import page, wants_html

router = APIRouter(tags=["compatibility with the original service"])

IMAGE_FIELDS = ("image", "face_detection", "face_detection_method")
_TRUE, _FALSE = frozenset({"1", "true", "yes"}), frozenset({"0", "false", "no"})
# The original's names for the detectors it shares with this service.
_ORIGINAL_NAMES = {"ssd": "SSD"}
_METHOD_FIELD: dict[str, object] = {
    "type": "string",
    "default": "MTCNN",
    "description": "SSD, or MTCNN (served by the default detector); our detector names too",
}


def _form(file_field: str, fields: dict[str, dict[str, object]]) -> dict[str, Any]:
    """The OpenAPI description of an original route's form (the route reads the form itself), so
    the docs' try-it button can upload."""
    properties = {file_field: {"type": "string", "format": "binary"}, **fields}
    schema = {"type": "object", "properties": properties, "required": [file_field]}
    content = {"multipart/form-data": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


_IMAGE_FORM = _form(
    "image",
    {
        "face_detection": {
            "type": "string",
            "default": "1",
            "description": "1: find the faces; 0: the whole image is the face",
        },
        "face_detection_method": _METHOD_FIELD,
    },
)
_VIDEO_FORM = _form(
    "video",
    {
        "num_frames": {
            "type": "integer",
            "default": 3,
            "description": "frames sampled, spread evenly",
        },
        "face_detection_method": _METHOD_FIELD,
    },
)


@router.get(
    "/",
    response_model=None,
    responses={200: {"content": {"text/html": {}}, "description": "JSON; a browser gets the page"}},
)
async def welcome(request: Request) -> dict[str, str] | HTMLResponse:
    """The original's welcome answer (its text, as JSON, with where the API is described); a
    browser (``Accept: text/html``) gets the page instead."""
    if wants_html(request):
        return page(request.app.state.settings)
    return {"message": "Welcome to the deepfake detection service", "docs": "/docs"}


@router.post(
    "/detect_deepfake_image",
    openapi_extra=_IMAGE_FORM,
    responses={s: {"model": ErrorResponse} for s in (400, 413, 415, 422, 503)},
)
async def detect_deepfake_image(
    request: Request, services: ServicesDep, _quota: QuotaRoom
) -> CompatImageResponse:
    """Form fields `image` (file), `face_detection` (`1` default, or `0`: the whole image is
    the face), `face_detection_method` (`SSD`, or `MTCNN`, the default: served by the default
    detector)."""
    async with open_form(request, allowed=IMAGE_FIELDS) as form:
        data = await form_file(form, "image")
        detector = compat_detector(
            services, form_text(form, "face_detection"), form_text(form, "face_detection_method")
        )
    work = partial(
        services.models.analyze, data, detector, None, services.models.settings.max_faces
    )
    async with reserved_frames(request, 1) as reservation:
        analysis = (await services.run_cpu(work)).analysis
        reservation.used = 1
    return CompatImageResponse(
        face_detection_method=_ORIGINAL_NAMES.get(analysis.detector, analysis.detector),
        predictions=[compat_prediction(face, analysis.threshold) for face in analysis.faces],
    )


@router.post(
    "/detect_deepfake_video",
    openapi_extra=_VIDEO_FORM,
    responses={s: {"model": ErrorResponse} for s in (400, 413, 415, 422, 503)},
)
async def detect_deepfake_video(
    request: Request, services: ServicesDep, videos: VideoServicesDep, _quota: QuotaRoom
) -> CompatImageResponse:
    """Form fields `video` (file), `num_frames` (default 3, spread evenly), and
    `face_detection_method` as above; one prediction per face per sampled frame."""
    return await analyze_compat_video(
        request, services, videos, partial(compat_detector, services, None), _ORIGINAL_NAMES
    )


def compat_detector(
    services: Services, face_detection: str | None, method: str | None
) -> FaceDetector:
    """The detector for the original's two fields; a value it would not accept is a 422."""
    enabled = (face_detection or "1").strip().lower()
    if enabled not in _TRUE | _FALSE:
        raise InvalidOptions(f"face_detection must be 1 or 0, not {face_detection!r}")
    name = (method or "MTCNN").strip().lower()
    if name == "mtcnn":
        name = services.models.settings.detector
    elif name not in services.models.detectors:
        raise InvalidOptions(
            f"face_detection_method must be SSD or MTCNN (or one of "
            f"{', '.join(sorted(services.models.detectors))}), not {method!r}"
        )
    return services.models.detector("none" if enabled in _FALSE else name)


def compat_prediction(face: ScoredFace, threshold: float) -> CompatPrediction:
    # The original answers Real or Fake at the threshold, never uncertain.
    fake = face.fake_probability >= threshold
    probability = face.fake_probability if fake else 1.0 - face.fake_probability
    return CompatPrediction(
        prediction="Fake" if fake else "Real", probability=wire_probability(probability)
    )
