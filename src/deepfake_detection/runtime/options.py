"""What a client may choose for one analysis, each ``None`` for the service's default.

``AnalysisOptions`` is the one type for these choices: the form fields of ``POST /v1/videos`` and
``POST /v1/jobs`` (their validation and OpenAPI schema) and the options a job carries through its
store and queue as JSON. ``resolve_video_options`` puts them over the service's settings, so the
service, the job workers and ``dfd scan`` all analyse a video the same way.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deepfake_detection.analysis.video import VideoOptions
from deepfake_detection.config import Settings
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.media.video_sampling import Sampling, SamplingMode


class AnalysisOptions(BaseModel):
    """Options of ``POST /v1/videos`` and ``POST /v1/jobs`` (form fields) and of a job."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frames: int | None = Field(None, ge=1, description="frames sampled evenly (default 32)")
    every_s: float | None = Field(
        None, gt=0, description="instead: one frame every every_s seconds"
    )
    sampling: SamplingMode | None = Field(
        None,
        description="exact (default): the frame shown at each instant; fast: the frame nearest "
        "each instant among keyframes and the few frames after one (much less decoding on "
        "videos with few keyframes; frames may lie far from their instants)",
    )
    detector: str | None = Field(None, description="face detector (GET /v1/detectors)")
    threshold: float | None = Field(None, ge=0.0, le=1.0, description="fake at or above this")
    aggregate: str | None = Field(None, description="person score: mean (default), median, max")
    max_faces: int | None = Field(None, ge=1, description="faces scored per frame")
    explain: bool | None = Field(
        None,
        description="videos: an occlusion heatmap for each person, on its highest-scoring "
        "sampled face (about 50 classifier runs per person); images in jobs: one per face",
    )
    thumbnails: bool | None = Field(
        None,
        description="videos: a small JPEG of each person's highest-scoring face in the answer "
        "(thumbnail_jpeg_base64), cut from the crops already analysed",
    )
    annotate: bool | None = Field(
        None,
        description="jobs: keep the upload after the job succeeds, until its retention ends or it "
        "is deleted, so that GET /v1/jobs/{id}/annotated can draw on it (otherwise the upload is "
        "deleted as soon as the job has its outcome)",
    )

    def to_json(self) -> str:
        """The chosen options (``None`` left out) as a JSON object, as a job stores them."""
        return json.dumps(self.model_dump(exclude_none=True))

    @classmethod
    def from_json(cls, text: str) -> AnalysisOptions:
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            valid = ", ".join(cls.model_fields)
            raise InvalidOptions(
                f"job options must be an object with keys among {valid}: {exc}"
            ) from exc


def resolve_video_options(
    settings: Settings,
    *,
    frames: int | None = None,
    every_s: float | None = None,
    sampling: SamplingMode | None = None,
    threshold: float | None = None,
    aggregate: str | None = None,
    max_faces: int | None = None,
    explain: bool | None = None,
    thumbnails: bool | None = None,
) -> VideoOptions:
    """Request options over the service's defaults; ``InvalidOptions`` for a value out of range."""
    chosen = Sampling(
        frames=frames or min(settings.video_frames, settings.video_max_frames),
        every_s=every_s,
        max_frames=settings.video_max_frames,
        mode=sampling or "exact",
    )
    return VideoOptions(
        sampling=chosen,
        threshold=threshold if threshold is not None else settings.threshold,
        aggregate=aggregate or settings.video_aggregate,
        max_faces=max_faces or settings.max_faces,
        min_face_size=settings.min_face_size,
        min_coverage=settings.video_min_coverage,
        explain=bool(explain),
        explain_max=settings.explain_max_faces,
        thumbnails=bool(thumbnails),
    )
