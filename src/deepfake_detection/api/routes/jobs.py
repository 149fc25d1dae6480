"""Asynchronous jobs: ``POST /v1/jobs`` (an image or a video, uploaded or by URL), ``GET /v1/jobs``
(a summary of each of the caller's jobs), ``GET`` and ``DELETE /v1/jobs/{id}`` (only the key that
created the job).

The upload is copied to the job's own file on the data volume (named by the job id) before the job
is queued; the job's result is what ``POST /v1/images`` or ``POST /v1/videos`` would answer.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response

from deepfake_detection.api.deps import Caller, ServicesDep, VideoServicesDep, owner_of
from deepfake_detection.api.forms.job import (
    JOB_OPTION_FIELDS,
    JobFormOptions,
    fetch_url,
    save_upload,
)
from deepfake_detection.api.forms.multipart import form_text, form_upload, open_form, read_options
from deepfake_detection.api.limits import check_quota, most_frames, reserved_frames
from deepfake_detection.api.schemas import ErrorResponse, error_responses
from deepfake_detection.api.services import VideoServices
from deepfake_detection.errors import InvalidOptions, InvalidRequest
from deepfake_detection.jobs.job import JobStatus
from deepfake_detection.jobs.schemas import (
    JobAccepted,
    JobDeleted,
    JobList,
    JobResponse,
    job_response,
    job_summary_response,
)
from deepfake_detection.jobs.urls import parse_url
from deepfake_detection.jobs.webhook import check_callback_url
from deepfake_detection.monitoring.metrics import get_metrics

router = APIRouter(prefix="/v1", tags=["jobs"])


_ERRORS = error_responses(
    {
        400: "malformed request, empty upload, or a url that could not be fetched (fetch_failed)",
        413: "upload too large",
        415: "neither a supported image nor a supported video (sniffed from the bytes)",
        422: "invalid options, a url or callback_url that is not a valid http(s) URL, or a "
        "callback_url that is not allowed",
        503: "too many jobs waiting (Retry-After), or model not loaded",
    }
)


def _request_body() -> dict[str, Any]:
    form = JobFormOptions.model_json_schema()
    form["properties"] = {
        "file": {"type": "string", "format": "binary", "description": "an image or a video"},
        "url": {"type": "string", "description": "instead of file: where to download it"},
        **form["properties"],
    }
    content = {"multipart/form-data": {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


@router.post(
    "/jobs",
    status_code=202,
    openapi_extra=_request_body(),
    responses={**_ERRORS, 202: {"description": "queued; poll status_url"}},
)
async def create_job(
    request: Request,
    response: Response,
    services: ServicesDep,
    videos: VideoServicesDep,
    caller: Caller,
) -> JobAccepted:
    """Queue the analysis of an image or a video; answers at once with the job's status URL."""
    await check_quota(request)
    async with open_form(
        request, allowed=("file", "url", *JOB_OPTION_FIELDS), urlencoded=True
    ) as form:
        url = form_text(form, "url")
        upload = None if url is not None and "file" not in form else form_upload(form, "file")
        if upload is not None and url is not None:
            raise InvalidRequest("send the media in 'file' or its address in 'url', not both")
        if url is not None:
            parse_url(url, "url")
        options = read_options(form, JobFormOptions)
        services.models.detector(options.detector)
        services.models.video_options(options)
        if options.callback_url:
            await anyio.to_thread.run_sync(_check_callback, videos, options.callback_url)
        await anyio.to_thread.run_sync(videos.jobs.check_capacity)
        job_id, path = videos.jobs.new_upload()
        if upload is not None:
            kind = await anyio.to_thread.run_sync(save_upload, upload.file, path)
        else:
            kind = await anyio.to_thread.run_sync(
                fetch_url, str(url), path, services.models.settings
            )
    try:
        # A job is charged when it is queued, the most frames it may analyse: its worker may run
        # anywhere, and the quota must hold against concurrent submissions.
        most = most_frames(services.models.settings, kind, options)
        async with reserved_frames(request, most) as reservation:
            job = await anyio.to_thread.run_sync(
                videos.jobs.submit,
                job_id,
                options.analysis(),
                options.callback_url,
                owner_of(caller),
                kind,
            )
            reservation.used = reservation.frames
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    get_metrics().jobs.labels("queued").inc()
    status_url = str(request.url_for("get_job", job_id=job.id).path)
    response.headers["Location"] = status_url
    return JobAccepted(id=job.id, status=job.status, status_url=status_url)


@router.get("/jobs", responses={422: {"model": ErrorResponse}})
async def list_jobs(
    request: Request,
    videos: VideoServicesDep,
    caller: Caller,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> JobList:
    """The caller's jobs (with keys off: every job), newest first, a page at a time: each with a
    summary of its result; its status_url has the whole job."""
    jobs, next_cursor = await anyio.to_thread.run_sync(
        videos.jobs.list_jobs, owner_of(caller), status, limit, cursor
    )
    return JobList(
        jobs=[
            job_summary_response(job, request.url_for("get_job", job_id=job.id).path)
            for job in jobs
        ],
        next_cursor=next_cursor,
    )


@router.get("/jobs/{job_id}", responses=_ERRORS | {404: {"model": ErrorResponse}})
async def get_job(job_id: str, videos: VideoServicesDep, caller: Caller) -> JobResponse:
    """The job's status (queued, running with progress, succeeded, failed, cancelled) and, when
    it succeeded, its result. Another key's job is 404, as if it did not exist."""
    return job_response(await anyio.to_thread.run_sync(videos.jobs.get, job_id, owner_of(caller)))


@router.delete("/jobs/{job_id}", responses={404: {"model": ErrorResponse}})
async def delete_job(job_id: str, videos: VideoServicesDep, caller: Caller) -> JobDeleted:
    """Cancel a queued or running job, or delete a finished one (with its upload)."""
    outcome = await anyio.to_thread.run_sync(videos.jobs.cancel_or_delete, job_id, owner_of(caller))
    if outcome == "cancelled":
        get_metrics().jobs.labels("cancelled").inc()
    return JobDeleted(id=job_id, status=outcome)


def _check_callback(videos: VideoServices, url: str) -> None:
    if videos.webhooks is None:
        raise InvalidOptions(
            "callback_url needs a webhook secret to sign with; the operator has not set "
            "DFD_WEBHOOK_SECRET"
        )
    check_callback_url(url, allow_private=videos.webhooks.allow_private)
