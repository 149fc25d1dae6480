"""``GET /v1/jobs/{id}/annotated``: a finished job's upload with every face's box, label and score
drawn: a PNG for an image, an MP4 (H.264) for a video, with the boxes on every frame.

Made on request from the job's upload and its stored answer, in a drawing slot of its own (never
an analysis's: ``Services.run_drawing``; 503 when every one is busy), and charged to the caller's
daily frames like the analysis was (the job's sampled frames; an image is one). A video is
re-encoded once (within ``annotate_timeout_s``; one drawing per job at a time in a process) and
kept beside the upload until the job is deleted or expires, so asking again costs nothing. A
drawing that fails (past its time limit, say) is remembered the same way: asking again answers the
same error at once instead of drawing for minutes again.
"""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from deepfake_detection.analysis.annotate import Mark, Sample, Track, face_caption
from deepfake_detection.api.deps import Caller, ServicesDep, VideoServicesDep, owner_of
from deepfake_detection.api.limits import reserved_frames
from deepfake_detection.api.schemas import error_responses
from deepfake_detection.api.services import Services
from deepfake_detection.errors import DetectionError, NotFound, NotReady, Overloaded, error_for
from deepfake_detection.jobs.service import JobService
from deepfake_detection.media.kind import read_image_file
from deepfake_detection.shared.faces import Box

router = APIRouter(prefix="/v1", tags=["jobs"])

_RESPONSES = error_responses(
    {
        404: "no such job (or another key's), or its upload was not kept",
        409: "the job has not succeeded (yet)",
        413: "drawing on the video took too long",
        429: "the key's daily frames are used up",
        503: "every drawing slot is busy; retry shortly",
    }
)
_RESPONSES[200] = {
    "content": {"image/png": {}, "video/mp4": {}},
    "description": "the image (PNG) or the video (MP4, H.264) with the faces drawn",
}
_CHUNK = 1 << 20
# One drawing of a job's video at a time in this process: a second request waits for the first.
_drawing: weakref.WeakValueDictionary[str, anyio.Lock] = weakref.WeakValueDictionary()


@router.get("/jobs/{job_id}/annotated", response_class=Response, responses=_RESPONSES)
async def annotated(
    request: Request, job_id: str, services: ServicesDep, videos: VideoServicesDep, caller: Caller
) -> Response:
    """The job's upload with its answer drawn on it (boxes coloured by label, captions with the
    scores); for a video, each person's box on every frame between its sampled frames. Another
    key's job is 404, as if it did not exist, whatever its status."""
    job = await anyio.to_thread.run_sync(videos.jobs.get, job_id, owner_of(caller))
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
        frames = int(job.result.get("sampled_frames", 1))  # type: ignore[call-overload]
        tracks = answer_tracks(job.result)
        return await _video(request, services, videos.jobs, job_id, tracks, frames)
    marks = answer_marks(job.result)
    async with reserved_frames(request, 1) as reservation:
        png = await services.run_drawing(partial(_image, services, upload, marks))
        reservation.used = 1
    return Response(png, media_type="image/png")


def _image(services: Services, upload: Path, marks: list[Mark]) -> bytes:
    models = services.models
    return models.annotate_image(read_image_file(upload, models.image_limits()), marks)


async def _video(
    request: Request,
    services: Services,
    jobs: JobService,
    job_id: str,
    tracks: list[Track],
    frames: int,
) -> Response:
    kept = jobs.annotated_path(job_id)
    failed = kept.with_name(f"{kept.name}.failed")
    lock = _drawing.setdefault(job_id, anyio.Lock())
    async with lock:
        if failed.is_file():
            raise _stored_failure(failed)
        if not kept.is_file():
            upload = jobs.upload_path(job_id)
            draw = partial(_draw_video, services, upload, kept, tracks)
            async with reserved_frames(request, frames) as reservation:
                try:
                    await services.run_drawing(draw)
                except Overloaded:
                    raise  # nothing was tried: the client may retry
                except DetectionError as exc:
                    _store_failure(failed, exc)
                    raise
                reservation.used = frames
    try:
        # Opened before it is sent: a deletion of the job meanwhile does not cut the answer.
        file = kept.open("rb")
    except FileNotFoundError:
        raise NotFound(f"job {job_id} was deleted while its video was drawn") from None
    if not jobs.upload_path(job_id).is_file():  # deleted while drawing: nothing may stay behind
        file.close()
        kept.unlink(missing_ok=True)
        raise NotFound(f"job {job_id} was deleted while its video was drawn")
    return StreamingResponse(
        _chunks(file),
        media_type="video/mp4",
        headers={
            "Content-Length": str(os.fstat(file.fileno()).st_size),
            "Content-Disposition": f'attachment; filename="{job_id}-annotated.mp4"',
        },
    )


def _draw_video(services: Services, upload: Path, kept: Path, tracks: list[Track]) -> None:
    """Draw into a temporary file, then move it into place: a reader never sees half a video."""
    handle, name = tempfile.mkstemp(prefix=f"{kept.name}.", suffix=".part.mp4", dir=kept.parent)
    os.close(handle)
    part = Path(name)
    try:
        services.models.annotate_video(upload, part, tracks)
        part.replace(kept)
    finally:
        part.unlink(missing_ok=True)


def _store_failure(path: Path, exc: DetectionError) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"code": exc.code, "message": exc.message}, out)
    except OSError:
        pass  # not remembered: the next request draws again


def _stored_failure(path: Path) -> DetectionError:
    try:
        stored = json.loads(path.read_text())
        return error_for(str(stored["code"]), str(stored["message"]))
    except (OSError, ValueError, KeyError, TypeError):
        return DetectionError("drawing on this job's video failed before; it is not tried again")


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        while chunk := file.read(_CHUNK):
            yield chunk


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
