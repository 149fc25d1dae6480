"""The wire format of a job: what ``POST``/``GET``/``DELETE /v1/jobs`` answer and a webhook sends."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from deepfake_detection.jobs.job import Job, JobStatus


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
    created_at: float = Field(description="Unix time")
    updated_at: float
    attempts: int
    result: dict[str, object] | None = Field(
        description="when succeeded: as POST /v1/images|videos"
    )
    error: JobError | None = Field(description="when failed")


class JobDeleted(BaseModel):
    id: str
    status: Literal["deleted", "cancelled"]


def job_response(job: Job) -> JobResponse:
    return JobResponse(
        id=job.id,
        status=job.status,
        progress=job.progress,
        created_at=job.created_at,
        updated_at=job.updated_at,
        attempts=job.attempts,
        result=job.result,
        error=None
        if job.error is None
        else JobError(code=job.error.code, message=job.error.message),
    )
