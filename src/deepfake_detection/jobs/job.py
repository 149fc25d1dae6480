"""A job's domain values: where it stands (``Job``) and what was asked (``AnalysisOptions``, the
options of every analysis request, in ``runtime/options.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deepfake_detection.media.kind import Kind
from deepfake_detection.runtime.options import AnalysisOptions

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
Outcome = Literal["succeeded", "failed"]
"""How a job that ran ends (``cancelled`` is a client's doing, not an outcome)."""
Removal = Literal["cancelled", "deleted"]
"""What ``DELETE /v1/jobs/{id}`` did: cancelled a queued or running job, or deleted a finished one."""
FINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
JSONObject = dict[str, object]


def parse_status(value: str) -> JobStatus:
    """A status read from a store; ``ValueError`` for anything else."""
    if value not in ("queued", "running", "succeeded", "failed", "cancelled"):
        raise ValueError(f"unknown job status {value!r} in the store")
    return value  # type: ignore[return-value]


def parse_kind(value: str | None) -> Kind | None:
    """A media kind read from a store (``None``: not recorded); ``ValueError`` for anything else."""
    if value not in (None, "image", "video"):
        raise ValueError(f"unknown media kind {value!r} in the store")
    return value  # type: ignore[return-value]


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
    owner: str | None = None
    """The id of the API key that created the job (``None`` with keys off)."""
    kind: Kind | None = None
    """Image or video, sniffed when the job was submitted (``None`` in jobs stored before it
    was recorded)."""

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES
