"""The original Flask service's API, kept so that its clients work unchanged.

Both routes answer
``{"face_detection_method": ..., "predictions": [{"prediction": "Real"|"Fake", "probability": p}]}``
with ``p`` the probability of the predicted label. MTCNN is not available offline: the service's
default detector runs instead, and the answer names the detector that ran.

- ``POST /detect_deepfake_image`` takes the form fields ``image``, ``face_detection`` (``1``/``0``)
  and ``face_detection_method`` (``SSD`` or ``MTCNN``); one prediction per face.
- ``POST /detect_deepfake_video`` takes ``video``, ``num_frames`` (default 3, as the original) and
  ``face_detection_method``, on the video pipeline; one prediction per face per sampled frame in
  time order. Unlike the original, the frames are spread evenly (the same answer on every call),
  not drawn at random, and every face of a frame is scored, not only the first.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from deepfake_detection.analysis.video import VideoAnalysis
from deepfake_detection.api.deps import QuotaRoom, ServicesDep, VideoServicesDep
from deepfake_detection.api.forms.multipart import form_file, form_text, form_upload, open_form
from deepfake_detection.api.limits import reserved_frames
from deepfake_detection.api.schemas import CompatImageResponse, CompatPrediction, ErrorResponse
from deepfake_detection.api.services import Services
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.runtime.options import resolve_video_options
from deepfake_detection.schemas.wire import probability as wire_probability
from deepfake_detection.shared.faces import ScoredFace
from deepfake_detection.shared.registry import normalise
from deepfake_detection.web.page import page, wants_html

router = APIRouter(tags=["compatibility with the original service"])

IMAGE_FIELDS = ("image", "face_detection", "face_detection_method")
VIDEO_FIELDS = ("video", "num_frames", "face_detection_method")
DEFAULT_FRAMES = 3
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
    async with open_form(request, allowed=VIDEO_FIELDS) as form:
        upload = form_upload(form, "video")
        frames = _frames(form_text(form, "num_frames"), services.models.settings.video_max_frames)
        detector = compat_detector(services, None, form_text(form, "face_detection_method"))
        # The original's few frames come from keyframes and just after (issue 20: exact frames
        # decoded up to 250 frames each on a clip with two keyframes).
        options = resolve_video_options(services.models.settings, frames=frames, sampling="fast")
        work = partial(videos.analyzer.analyze, upload.file, options, detector=detector)
        async with reserved_frames(request, frames) as reservation:
            analysis = await services.run_cpu(work)
            reservation.used = analysis.sampled_frames
    return CompatImageResponse(
        face_detection_method=_ORIGINAL_NAMES.get(analysis.detector, analysis.detector),
        predictions=video_predictions(analysis),
    )


def compat_detector(
    services: Services, face_detection: str | None, method: str | None
) -> FaceDetector:
    """The detector for the original's two fields; a value it would not accept is a 422."""
    enabled = (face_detection or "1").strip().lower()
    if enabled not in _TRUE | _FALSE:
        raise InvalidOptions(f"face_detection must be 1 or 0, not {face_detection!r}")
    name = normalise(method or "MTCNN")
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


def video_predictions(analysis: VideoAnalysis) -> list[CompatPrediction]:
    samples = sorted(
        (s for person in analysis.persons for s in person.timeline),
        key=lambda s: (s.frame_index, s.box.x1, s.box.y1),
    )
    predictions = []
    for sample in samples:
        fake = sample.fake_probability >= analysis.threshold
        p = sample.fake_probability if fake else 1.0 - sample.fake_probability
        label = "Fake" if fake else "Real"
        predictions.append(CompatPrediction(prediction=label, probability=wire_probability(p)))
    return predictions


def _frames(value: str | None, limit: int) -> int:
    if value is None:
        return DEFAULT_FRAMES
    try:
        frames = int(value)
    except ValueError:
        raise InvalidOptions(f"num_frames must be a whole number, not {value!r}") from None
    if not 1 <= frames <= limit:
        raise InvalidOptions(f"num_frames must be 1..{limit}, not {frames}")
    return frames
