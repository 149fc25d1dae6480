"""The form fields of the video and job routes, read with the API's form helpers."""

from __future__ import annotations

from typing import TypeVar

from pydantic import Field
from starlette.datastructures import FormData, UploadFile

from deepfake_detection.api.uploads import form_text, validated
from deepfake_detection.errors import InvalidRequest
from deepfake_detection.runtime.options import AnalysisOptions


class JobFormOptions(AnalysisOptions):
    """The form fields of ``POST /v1/jobs``: the analysis options and the callback URL."""

    callback_url: str | None = Field(None, description="POSTed the finished job, signed")

    def analysis(self) -> AnalysisOptions:
        """The options the job carries (its callback URL is kept beside them)."""
        return AnalysisOptions.model_validate(self.model_dump(exclude={"callback_url"}))


Options = TypeVar("Options", bound=AnalysisOptions)
OPTION_FIELDS = tuple(AnalysisOptions.model_fields)
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
