"""``GET /v1/jobs/{id}/annotated``: a finished job's upload with every face's box, label and score
drawn: a PNG for an image, an MP4 (H.264) for a video, with the boxes on every frame.

Made on request from the job's upload and its stored answer (nothing more is kept on the data
volume); the video is written to a temporary file beside the uploads, removed once sent.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from deepfake_detection.analysis.annotate import (
    Mark,
    Sample,
    Track,
    annotate_video,
    draw_marks,
    face_caption,
    png_bytes,
)
from deepfake_detection.api.deps import ServicesDep
from deepfake_detection.api.job_lifespan import VideoServicesDep
from deepfake_detection.api.schemas import ErrorResponse
from deepfake_detection.api.services import Services
from deepfake_detection.errors import NotFound, NotReady
from deepfake_detection.media.image import decode_image
from deepfake_detection.shared.faces import Box

router = APIRouter(prefix="/v1", tags=["jobs"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"image/png": {}, "video/mp4": {}},
        "description": "the image (PNG) or the video (MP4, H.264) with the faces drawn",
    },
    404: {"model": ErrorResponse, "description": "no such job, or its upload has expired"},
    409: {"model": ErrorResponse, "description": "the job has not succeeded (yet)"},
}


@router.get("/jobs/{job_id}/annotated", response_class=Response, responses=_RESPONSES)
async def annotated(job_id: str, services: ServicesDep, videos: VideoServicesDep) -> Response:
    """The job's upload with its answer drawn on it (boxes coloured by label, captions with the
    scores); for a video, each person's box on every frame between its sampled frames."""
    job = await anyio.to_thread.run_sync(videos.jobs.get, job_id)
    if job.status != "succeeded" or job.result is None:
        raise NotReady(
            f"job {job_id} is {job.status}: only a succeeded job has an annotated result"
        )
    upload = videos.jobs.upload_path(job_id)
    if not upload.is_file():
        raise NotFound(
            f"the upload of job {job_id} is not kept: submit the job with annotate=true to draw "
            "on it afterwards (uploads are otherwise deleted when their job ends)"
        )
    if "persons" in job.result:
        return await _video(services, upload, answer_tracks(job.result), job_id)
    png = await services.run_cpu(partial(_image, services, upload, answer_marks(job.result)))
    return Response(png, media_type="image/png")


def _image(services: Services, upload: Path, marks: list[Mark]) -> bytes:
    image = decode_image(upload.read_bytes(), services.models.image_limits())
    return png_bytes(draw_marks(image, marks))


async def _video(services: Services, upload: Path, tracks: list[Track], job_id: str) -> Response:
    handle, name = tempfile.mkstemp(prefix=f"{job_id}.", suffix=".annotated.mp4", dir=upload.parent)
    os.close(handle)
    target = Path(name)
    try:
        await services.run_cpu(partial(annotate_video, upload, target, tracks))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return FileResponse(
        target,
        media_type="video/mp4",
        filename=f"{job_id}-annotated.mp4",
        background=BackgroundTask(target.unlink, missing_ok=True),
    )


def _box(value: Mapping[str, Any]) -> Box:
    return Box(float(value["x1"]), float(value["y1"]), float(value["x2"]), float(value["y2"]))


def answer_marks(answer: Mapping[str, Any]) -> list[Mark]:
    """The marks of an image answer (as ``POST /v1/images`` gives it)."""
    return [
        Mark(
            _box(face["box"]),
            face["label"],
            face_caption(i, face["label"], face["fake_probability"]),
        )
        for i, face in enumerate(answer["faces"], start=1)
    ]


def answer_tracks(answer: Mapping[str, Any]) -> list[Track]:
    """The persons of a video answer (as ``POST /v1/videos`` gives it)."""
    return [
        Track(
            name=f"P{person['id'] + 1}",
            label=person["label"],
            score=float(person["score"]),
            samples=tuple(
                Sample(float(s["timestamp_s"]), _box(s["box"]), float(s["fake_probability"]))
                for s in person["timeline"]
            ),
        )
        for person in answer["persons"]
    ]
