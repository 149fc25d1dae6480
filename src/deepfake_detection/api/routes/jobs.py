"""Asynchronous jobs: ``POST /v1/jobs`` (an image or a video), ``GET`` and ``DELETE /v1/jobs/{id}``.

The upload is copied to the job's own file on the data volume (named by the job id) before the job
is queued; the job's result is what ``POST /v1/images`` or ``POST /v1/videos`` would answer.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from deepfake_detection.api.deps import ServicesDep
from deepfake_detection.api.job_lifespan import VideoServices, VideoServicesDep
from deepfake_detection.api.schemas import ErrorResponse
from deepfake_detection.api.uploads import open_form
from deepfake_detection.api.video_forms import (
    JOB_OPTION_FIELDS,
    JobFormOptions,
    form_upload,
    read_options,
)
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.jobs.schemas import JobAccepted, JobDeleted, JobResponse, job_response
from deepfake_detection.jobs.webhook import check_callback_url
from deepfake_detection.media.kind import SNIFF_BYTES, media_kind

router = APIRouter(prefix="/v1", tags=["jobs"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "malformed request or empty upload",
        413: "upload too large",
        415: "neither a supported image nor a supported video (sniffed from the bytes)",
        422: "invalid options, or a callback_url that is not allowed",
        503: "too many jobs waiting (Retry-After), or model not loaded",
    }.items()
}


def _request_body() -> dict[str, Any]:
    form = JobFormOptions.model_json_schema()
    form["properties"] = {
        "file": {"type": "string", "format": "binary", "description": "an image or a video"},
        **form["properties"],
    }
    form["required"] = ["file"]
    content = {"multipart/form-data": {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


@router.post(
    "/jobs",
    status_code=202,
    openapi_extra=_request_body(),
    responses={**_ERRORS, 202: {"description": "queued; poll status_url"}},
)
async def create_job(
    request: Request, response: Response, services: ServicesDep, videos: VideoServicesDep
) -> JobAccepted:
    """Queue the analysis of an image or a video; answers at once with the job's status URL."""
    async with open_form(request, allowed=("file", *JOB_OPTION_FIELDS)) as form:
        upload = form_upload(form, "file")
        options = read_options(form, JobFormOptions)
        services.models.detector(options.detector)
        services.models.video_options(options)
        if options.callback_url:
            await anyio.to_thread.run_sync(_check_callback, videos, options.callback_url)
        await anyio.to_thread.run_sync(videos.jobs.check_capacity)
        job_id, path = videos.jobs.new_upload()
        await anyio.to_thread.run_sync(_save_upload, upload.file, path)
    try:
        job = await anyio.to_thread.run_sync(
            videos.jobs.submit, job_id, options.analysis(), options.callback_url
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    status_url = str(request.url_for("get_job", job_id=job.id).path)
    response.headers["Location"] = status_url
    return JobAccepted(id=job.id, status=job.status, status_url=status_url)


@router.get("/jobs/{job_id}", responses=_ERRORS | {404: {"model": ErrorResponse}})
async def get_job(job_id: str, videos: VideoServicesDep) -> JobResponse:
    """The job's status (queued, running with progress, succeeded, failed, cancelled) and, when
    it succeeded, its result."""
    return job_response(await anyio.to_thread.run_sync(videos.jobs.get, job_id))


@router.delete("/jobs/{job_id}", responses={404: {"model": ErrorResponse}})
async def delete_job(job_id: str, videos: VideoServicesDep) -> JobDeleted:
    """Cancel a queued or running job, or delete a finished one (with its upload)."""
    outcome = await anyio.to_thread.run_sync(videos.jobs.cancel_or_delete, job_id)
    return JobDeleted(id=job_id, status=outcome)


def _check_callback(videos: VideoServices, url: str) -> None:
    if videos.webhooks is None:
        raise InvalidOptions(
            "callback_url needs a webhook secret to sign with; the operator has not set "
            "DFD_WEBHOOK_SECRET"
        )
    check_callback_url(url, allow_private=videos.webhooks.allow_private)


def _save_upload(source: IO[bytes], path: Path) -> None:
    """Copy the upload to the job's file; 400/415 (and nothing kept) unless it is a supported
    image or video."""
    source.seek(0)
    media_kind(source.read(SNIFF_BYTES), source="the upload")
    source.seek(0)
    try:
        # Readable by the service's user only; never an existing file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
