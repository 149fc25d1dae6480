"""What a list of jobs shows of each job (``JobSummary``): the job without its result, and a few
fields of the result (``ResultSummary``, made by ``summarize``).

A result with explanations and thumbnails weighs hundreds of kilobytes; a page of 200 of them was
tens of megabytes. The stores keep each result's summary beside it, written once when the job
finishes, so a listing reads neither the results nor their JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from deepfake_detection.jobs.job import JobError, JobStatus, JSONObject
from deepfake_detection.media.kind import Kind


@dataclass(frozen=True)
class ResultSummary:
    verdict: str
    verdict_reason: str | None
    fake_probability: float | None
    threshold: float | None
    faces: int
    """An image's faces, or a video's persons (one per face tracked over the frames)."""
    model_version: str | None
    duration_s: float | None
    """A video's duration (``None`` for an image)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ResultSummary:
        data = json.loads(text)
        return cls(
            verdict=str(data["verdict"]),
            verdict_reason=data.get("verdict_reason"),
            fake_probability=data.get("fake_probability"),
            threshold=data.get("threshold"),
            faces=int(data.get("faces", 0)),
            model_version=data.get("model_version"),
            duration_s=data.get("duration_s"),
        )


@dataclass(frozen=True)
class JobSummary:
    id: str
    status: JobStatus
    kind: Kind | None
    progress: float
    created_at: float
    updated_at: float
    attempts: int
    error: JobError | None
    summary: ResultSummary | None
    """``None`` until the job has succeeded."""


def summarize(result: JSONObject | None) -> ResultSummary | None:
    """The summary of a job's result (what ``POST /v1/images`` or ``/v1/videos`` answered);
    ``None`` without one."""
    if result is None:
        return None
    video = _object(result.get("video"))
    found = result.get("persons") if video else result.get("faces")
    model = _object(result.get("model"))
    reason = result.get("verdict_reason")
    version = model.get("version")
    return ResultSummary(
        verdict=str(result.get("verdict")),
        verdict_reason=reason if isinstance(reason, str) else None,
        fake_probability=_number(result.get("fake_probability")),
        threshold=_number(result.get("threshold")),
        faces=len(found) if isinstance(found, list) else 0,
        model_version=version if isinstance(version, str) else None,
        duration_s=_number(video.get("duration_s")),
    )


def summary_json(result: JSONObject | None) -> str | None:
    """What a store keeps beside a result: its summary, as JSON (``None`` without a result)."""
    summary = summarize(result)
    return None if summary is None else summary.to_json()


def result_kind(result: JSONObject | None) -> Kind | None:
    """Image or video, read from a result (for jobs stored before their kind was)."""
    if result is None:
        return None
    if "video" in result:
        return "video"
    return "image" if "image" in result else None


def _object(value: object) -> JSONObject:
    return value if isinstance(value, dict) else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
