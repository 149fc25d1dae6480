"""The answer of ``GET /v1/jobs``: a page of the caller's jobs and the cursor of the next one."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deepfake_detection.jobs.schemas import JobResponse


class JobList(BaseModel):
    jobs: list[JobResponse] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as cursor for the next page; null: the last")
