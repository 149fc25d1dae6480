"""The form fields of the video and job routes, read with the API's form helpers."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData, UploadFile

from deepfake_detection.api.services import Services
from deepfake_detection.api.uploads import form_text, validated
from deepfake_detection.errors import InvalidRequest
from deepfake_detection.jobs.media import video_options
from deepfake_detection.video_analysis import VideoOptions


class VideoFormOptions(BaseModel):
    """Options of ``POST /v1/videos`` and ``POST /v1/jobs`` (form fields)."""

    model_config = ConfigDict(extra="forbid")

    frames: int | None = Field(None, ge=1, description="frames sampled evenly (default 32)")
    every_s: float | None = Field(
        None, gt=0, description="instead: one frame every every_s seconds"
    )
    detector: str | None = Field(None, description="face detector (GET /v1/detectors)")
    threshold: float | None = Field(None, ge=0.0, le=1.0, description="fake at or above this")
    aggregate: str | None = Field(None, description="person score: mean (default), median, max")
    max_faces: int | None = Field(None, ge=1, description="faces scored per frame")


class JobFormOptions(VideoFormOptions):
    callback_url: str | None = Field(None, description="POSTed the finished job, signed")


Options = TypeVar("Options", bound=VideoFormOptions)
OPTION_FIELDS = tuple(VideoFormOptions.model_fields)
JOB_OPTION_FIELDS = tuple(JobFormOptions.model_fields)


def form_upload(form: FormData, field: str) -> UploadFile:
    """The file uploaded in ``field``; 400 if it is missing or a text value."""
    value = form.get(field)
    if value is None:
        raise InvalidRequest(f"missing form field {field!r}: send the file in it")
    if not isinstance(value, UploadFile):
        raise InvalidRequest(f"form field {field!r} must be a file upload, not a text value")
    return value


def read_options(form: FormData, model: type[Options]) -> Options:
    return validated(model, {name: form_text(form, name) for name in model.model_fields})


def analysis_options(services: Services, options: VideoFormOptions) -> VideoOptions:
    """The analysis options, checked against the service's limits (422 when out of range)."""
    return video_options(
        services.settings,
        frames=options.frames,
        every_s=options.every_s,
        threshold=options.threshold,
        aggregate=options.aggregate,
        max_faces=services.max_faces(options.max_faces),
    )
