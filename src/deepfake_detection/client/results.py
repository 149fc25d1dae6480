"""Typed answers of the service, read from its JSON (unknown fields are ignored, so a newer
service does not break an older client; ``raw`` keeps the whole answer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deepfake_detection.client.provenance import Provenance


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    x2: float
    y2: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Box:
        return cls(float(data["x1"]), float(data["y1"]), float(data["x2"]), float(data["y2"]))


@dataclass(frozen=True)
class Face:
    box: Box
    detector_confidence: float | None
    fake_probability: float
    label: str
    """``real``, ``fake`` or ``uncertain`` (any other label a newer service gives is kept)."""
    reason: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Face:
        return cls(
            Box.from_json(data["box"]),
            data.get("detector_confidence"),
            float(data["fake_probability"]),
            str(data["label"]),
            data.get("reason"),
        )


@dataclass(frozen=True)
class ImageResult:
    verdict: str
    """``real``, ``fake``, ``uncertain`` or ``no_face``."""
    verdict_reason: str | None
    fake_probability: float | None
    """The highest over the faces (``None`` without a face)."""
    faces: tuple[Face, ...]
    threshold: float
    model_version: str
    raw: dict[str, Any] = field(repr=False, compare=False)
    provenance: Provenance | None = None
    """What the file says about its origin (``None`` from a service without it)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImageResult:
        faces = tuple(Face.from_json(f) for f in data["faces"])
        highest = max((f.fake_probability for f in faces), default=None)
        return cls(
            verdict=str(data["verdict"]),
            verdict_reason=data.get("verdict_reason"),
            fake_probability=data.get("fake_probability", highest),
            faces=faces,
            threshold=float(data["threshold"]),
            model_version=str(data["model"]["version"]),
            raw=data,
            provenance=Provenance.from_json(data.get("provenance")),
        )


@dataclass(frozen=True)
class FaceSample:
    frame_index: int
    timestamp_s: float
    box: Box
    detector_confidence: float
    fake_probability: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaceSample:
        return cls(
            int(data["frame_index"]),
            float(data["timestamp_s"]),
            Box.from_json(data["box"]),
            float(data["detector_confidence"]),
            float(data["fake_probability"]),
        )


@dataclass(frozen=True)
class Person:
    id: int
    score: float
    label: str
    timeline: tuple[FaceSample, ...]
    reason: str | None = None
    coverage: float | None = None
    decisive: bool | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Person:
        return cls(
            int(data["id"]),
            float(data["score"]),
            str(data["label"]),
            tuple(FaceSample.from_json(s) for s in data["timeline"]),
            data.get("reason"),
            data.get("coverage"),
            data.get("decisive"),
        )


@dataclass(frozen=True)
class VideoResult:
    verdict: str
    verdict_reason: str | None
    fake_probability: float | None
    """The video's score: the deciding persons' highest."""
    persons: tuple[Person, ...]
    sampled_frames: int
    threshold: float
    model_version: str
    raw: dict[str, Any] = field(repr=False, compare=False)
    provenance: Provenance | None = None
    """What the file says about its origin (``None`` from a service without it)."""
    sampling: str = "exact"
    """``exact`` or ``fast``: how the frames were picked (``exact`` from older services)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VideoResult:
        return cls(
            verdict=str(data["verdict"]),
            verdict_reason=data.get("verdict_reason"),
            fake_probability=data.get("fake_probability"),
            persons=tuple(Person.from_json(p) for p in data["persons"]),
            sampled_frames=int(data["sampled_frames"]),
            threshold=float(data["threshold"]),
            model_version=str(data["model"]["version"]),
            raw=data,
            provenance=Provenance.from_json(data.get("provenance")),
            sampling=str(data.get("sampling", "exact")),
        )


def media_result(data: dict[str, Any]) -> ImageResult | VideoResult:
    """A job's result: a video's has ``video``, an image's ``image``."""
    return VideoResult.from_json(data) if "video" in data else ImageResult.from_json(data)


@dataclass(frozen=True)
class Job:
    id: str
    status: str
    """``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``."""
    progress: float
    created_at: float
    result: ImageResult | VideoResult | None
    error_code: str | None
    error_message: str | None

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        result, error = data.get("result"), data.get("error") or {}
        return cls(
            id=str(data["id"]),
            status=str(data["status"]),
            progress=float(data.get("progress", 0.0)),
            created_at=_timestamp(data.get("created_at")),
            result=None if result is None else media_result(result),
            error_code=error.get("code"),
            error_message=error.get("message"),
        )


@dataclass(frozen=True)
class ResultSummary:
    """What a job list says of a succeeded job's result (``get_job`` has the result)."""

    verdict: str
    verdict_reason: str | None
    fake_probability: float | None
    threshold: float | None
    faces: int
    """An image's faces, or a video's persons."""
    model_version: str | None
    duration_s: float | None
    """A video's duration (``None`` for an image)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResultSummary:
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
    """A job as ``list_jobs`` gives it: without its result, with a ``summary`` of it."""

    id: str
    status: str
    """``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``."""
    kind: str | None
    """``image`` or ``video``."""
    progress: float
    created_at: float
    updated_at: float
    summary: ResultSummary | None
    error_code: str | None
    error_message: str | None
    status_url: str
    """Where the whole job is (``get_job(id)`` reads it)."""

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobSummary:
        summary, error = data.get("summary"), data.get("error") or {}
        return cls(
            id=str(data["id"]),
            status=str(data["status"]),
            kind=data.get("kind"),
            progress=float(data.get("progress", 0.0)),
            created_at=_timestamp(data.get("created_at")),
            updated_at=_timestamp(data.get("updated_at")),
            summary=None if summary is None else ResultSummary.from_json(summary),
            error_code=error.get("code"),
            error_message=error.get("message"),
            # An older service's list has no status_url (it sent whole jobs).
            status_url=str(data.get("status_url") or f"/v1/jobs/{data['id']}"),
        )


@dataclass(frozen=True)
class JobPage:
    jobs: tuple[JobSummary, ...]
    next_cursor: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobPage:
        return cls(tuple(JobSummary.from_json(j) for j in data["jobs"]), data.get("next_cursor"))


def _timestamp(value: Any) -> float:
    """Seconds since the epoch from the API's ISO-8601 UTC time (or a number, from older
    services); 0.0 when missing."""
    if value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
