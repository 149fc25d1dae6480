"""A job's domain values: what was asked (``JobOptions``) and where it stands (``Job``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Literal

from deepfake_detection.errors import InvalidOptions

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
JSONObject = dict[str, object]


@dataclass(frozen=True)
class JobOptions:
    """The analysis options of ``POST /v1/jobs`` (``None``: the service's default)."""

    detector: str | None = None
    threshold: float | None = None
    frames: int | None = None
    every_s: float | None = None
    max_faces: int | None = None
    aggregate: str | None = None

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def from_json(cls, text: str) -> JobOptions:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or not set(data) <= known:
            raise InvalidOptions(f"job options must be an object with keys among {sorted(known)}")
        return cls(**data)


@dataclass(frozen=True)
class JobError:
    code: str
    message: str


@dataclass(frozen=True)
class Job:
    id: str
    status: JobStatus
    progress: float
    options: JobOptions
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
