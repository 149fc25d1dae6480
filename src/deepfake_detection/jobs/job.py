"""A job's domain values: where it stands (``Job``) and what was asked (``AnalysisOptions``, the
options of every analysis request, in ``runtime/options.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deepfake_detection.runtime.options import AnalysisOptions

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
JSONObject = dict[str, object]


@dataclass(frozen=True)
class JobError:
    code: str
    message: str


@dataclass(frozen=True)
class Job:
    id: str
    status: JobStatus
    progress: float
    options: AnalysisOptions
    upload_path: str
    callback_url: str | None
    created_at: float
    updated_at: float
    attempts: int = 0
    result: JSONObject | None = None
    error: JobError | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES
