"""The wire format of a job: what ``POST``/``GET``/``DELETE /v1/jobs`` answer and a webhook sends."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deepfake_detection.jobs.job import Job, JobStatus, Removal
from deepfake_detection.schemas.wire import utc_time


class JobAccepted(BaseModel):
    id: str
    status: JobStatus
    status_url: str


class JobError(BaseModel):
    code: str
    message: str


class JobResponse(BaseModel):
    id: str
    status: JobStatus
    progress: float = Field(ge=0.0, le=1.0)
    created_at: str = Field(description="ISO-8601 UTC, e.g. 2026-12-01T23:17:49.123Z")
    updated_at: str = Field(description="ISO-8601 UTC: the last change of status or progress")
    attempts: int
    result: dict[str, object] | None = Field(
        description="when succeeded: as POST /v1/images|videos"
    )
    error: JobError | None = Field(description="when failed")


class JobDeleted(BaseModel):
    id: str
    status: Removal


def job_response(job: Job) -> JobResponse:
    return JobResponse(
        id=job.id,
        status=job.status,
        progress=job.progress,
        created_at=utc_time(job.created_at),
        updated_at=utc_time(job.updated_at),
        attempts=job.attempts,
        result=job.result,
        error=None
        if job.error is None
        else JobError(code=job.error.code, message=job.error.message),
    )
