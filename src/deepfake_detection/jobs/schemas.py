"""The wire format of a job: what ``POST``/``GET``/``DELETE /v1/jobs`` answer and a webhook sends.

``GET /v1/jobs/{id}`` (and a webhook) carries the job's result; ``GET /v1/jobs`` a summary of each
job instead (``JobSummaryResponse``), with the address of the whole job.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, Field

from deepfake_detection.jobs.job import Job, JobStatus, Removal
from deepfake_detection.jobs.job import JobError as StoredError
from deepfake_detection.jobs.summary import JobSummary
from deepfake_detection.media.kind import Kind
from deepfake_detection.schemas.wire import utc_time


class JobAccepted(BaseModel):
    id: str
    status: JobStatus
    status_url: str


class JobError(BaseModel):
    code: str
    message: str


class _JobFields(BaseModel):
    """What a job and its summary in a list both say."""

    id: str
    status: JobStatus
    kind: Kind | None = Field(description="image or video (null: a job stored by an older version)")
    progress: float = Field(ge=0.0, le=1.0)
    created_at: str = Field(description="ISO-8601 UTC, e.g. 2026-12-01T23:17:49.123Z")
    updated_at: str = Field(description="ISO-8601 UTC: the last change of status or progress")
    attempts: int


class JobResponse(_JobFields):
    result: dict[str, object] | None = Field(
        description="when succeeded: as POST /v1/images|videos"
    )
    error: JobError | None = Field(description="when failed")


class ResultSummaryResponse(BaseModel):
    verdict: str = Field(description="real, fake, uncertain or no_face")
    verdict_reason: str | None = Field(description="why the verdict is uncertain")
    fake_probability: float | None = Field(description="the image's or the video's score")
    threshold: float | None
    faces: int = Field(description="an image's faces, or a video's persons")
    model_version: str | None
    duration_s: float | None = Field(description="a video's duration; null for an image")


class JobSummaryResponse(_JobFields):
    summary: ResultSummaryResponse | None = Field(
        description="when succeeded: the result's verdict and figures (the result: status_url)"
    )
    error: JobError | None = Field(description="when failed")
    status_url: str = Field(description="GET it for the whole job, with its result")


# The answer of GET /v1/jobs: a page of the caller's jobs and the cursor of the next one. (A
# docstring would become its OpenAPI description.)
class JobList(BaseModel):
    jobs: list[JobSummaryResponse] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as cursor for the next page; null: the last")


class JobDeleted(BaseModel):
    id: str
    status: Removal


def job_response(job: Job) -> JobResponse:
    return JobResponse(**_job_fields(job), result=job.result, error=_error(job.error))


def job_summary_response(job: JobSummary, status_url: str) -> JobSummaryResponse:
    summary = None if job.summary is None else ResultSummaryResponse(**asdict(job.summary))
    return JobSummaryResponse(
        **_job_fields(job), summary=summary, error=_error(job.error), status_url=status_url
    )


def _job_fields(job: Job | JobSummary) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "kind": job.kind,
        "progress": job.progress,
        "created_at": utc_time(job.created_at),
        "updated_at": utc_time(job.updated_at),
        "attempts": job.attempts,
    }


def _error(error: StoredError | None) -> JobError | None:
    return None if error is None else JobError(code=error.code, message=error.message)
