"""The original service's video route, ``POST /detect_deepfake_video``, on the video pipeline.

Form fields ``video``, ``num_frames`` (default 3, as the original) and ``face_detection_method``
(``SSD``, or ``MTCNN``: served by the default detector). The answer keeps the original's shape,
``{"face_detection_method": ..., "predictions": [{"prediction": "Real"|"Fake", "probability": p}]}``,
one prediction per face per sampled frame in time order, ``p`` the probability of the predicted
label. Unlike the original, the frames are spread evenly (the same answer on every call), not drawn
at random, and every face of a frame is scored, not only the first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fastapi import Request

from deepfake_detection.analysis.video import VideoAnalysis
from deepfake_detection.api.job_lifespan import VideoServices
from deepfake_detection.api.schemas import CompatImageResponse, CompatPrediction
from deepfake_detection.api.services import Services
from deepfake_detection.api.uploads import form_text, open_form
from deepfake_detection.api.usage import reserved_frames
from deepfake_detection.api.video_forms import form_upload
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.runtime.options import resolve_video_options
from deepfake_detection.schemas.wire import probability

VIDEO_FIELDS = ("video", "num_frames", "face_detection_method")
DEFAULT_FRAMES = 3


async def detect_deepfake_video(
    request: Request,
    services: Services,
    videos: VideoServices,
    detector_for: Callable[[str | None], FaceDetector],
    original_names: dict[str, str],
) -> CompatImageResponse:
    """``detector_for(method)``: the compat route's detector choice for ``face_detection_method``."""
    async with open_form(request, allowed=VIDEO_FIELDS) as form:
        upload = form_upload(form, "video")
        frames = _frames(form_text(form, "num_frames"), services.models.settings.video_max_frames)
        detector = detector_for(form_text(form, "face_detection_method"))
        # The original's few frames come from keyframes and just after (issue 20: exact frames
        # decoded up to 250 frames each on a clip with two keyframes).
        options = resolve_video_options(services.models.settings, frames=frames, sampling="fast")
        work = partial(videos.analyzer.analyze, upload.file, options, detector=detector)
        async with reserved_frames(request, frames) as reservation:
            analysis = await services.run_cpu(work)
            reservation.used = analysis.sampled_frames
    return CompatImageResponse(
        face_detection_method=original_names.get(analysis.detector, analysis.detector),
        predictions=compat_predictions(analysis),
    )


def compat_predictions(analysis: VideoAnalysis) -> list[CompatPrediction]:
    samples = sorted(
        (s for person in analysis.persons for s in person.timeline),
        key=lambda s: (s.frame_index, s.box.x1, s.box.y1),
    )
    predictions = []
    for sample in samples:
        fake = sample.fake_probability >= analysis.threshold
        p = sample.fake_probability if fake else 1.0 - sample.fake_probability
        label = "Fake" if fake else "Real"
        predictions.append(CompatPrediction(prediction=label, probability=probability(p)))
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
