"""Multipart forms: opened with a bounded number of fields and one file, closed (temporary files
removed) when the block ends; their fields read as files or text and validated as a pydantic model.

The body is bounded before it is read (``middleware/body_limit.py``: 413 while reading, or at once
from ``Content-Length``). A file part is spooled by Starlette to an anonymous temporary file past
1 MiB, unique to the request and removed when the form closes; nothing is written under a shared
name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from deepfake_detection.api.errors import validation_error
from deepfake_detection.errors import InvalidRequest, UnsupportedMedia

_MAX_FORM_FIELDS = 16
M = TypeVar("M", bound=BaseModel)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


@asynccontextmanager
async def open_form(
    request: Request, *, allowed: Collection[str], urlencoded: bool = False
) -> AsyncIterator[FormData]:
    """The request's multipart form (or, with ``urlencoded``, a form without files too), closed
    (temporary files removed) when the block ends. A field outside ``allowed`` is a 400 naming
    the expected ones."""
    kind = media_type(request)
    accepted = ("multipart/form-data", "application/x-www-form-urlencoded")[
        : 2 if urlencoded else 1
    ]
    if kind not in accepted:
        raise UnsupportedMedia(f"send the upload as multipart/form-data (got {kind or 'nothing'})")
    async with request.form(max_files=1, max_fields=_MAX_FORM_FIELDS) as form:
        unknown = sorted(set(form.keys()) - set(allowed))
        if unknown:
            raise InvalidRequest(
                f"unknown form field(s) {', '.join(unknown)}; expected: {', '.join(allowed)}"
            )
        yield form


async def form_file(form: FormData, field: str) -> bytes:
    """The bytes of the file uploaded in ``field``; 400 if the field is missing or not a file."""
    value = form.get(field)
    if value is None:
        raise InvalidRequest(f"missing form field {field!r}: send the image file in it")
    if not isinstance(value, UploadFile):
        raise InvalidRequest(f"form field {field!r} must be a file upload, not a text value")
    return await value.read()


def form_text(form: FormData, field: str) -> str | None:
    """A text field's value, ``None`` when absent or empty (an HTML form sends empty fields)."""
    value = form.get(field)
    if isinstance(value, UploadFile):
        raise InvalidRequest(f"form field {field!r} must be a text value, not a file")
    return value or None


def validated(model: type[M], values: Mapping[str, object]) -> M:
    """``model`` from ``values``; 400 for a missing field, 422 for a wrong value."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from None


def form_upload(form: FormData, field: str) -> UploadFile:
    """The file uploaded in ``field``; 400 if it is missing or a text value."""
    value = form.get(field)
    if value is None:
        raise InvalidRequest(f"missing form field {field!r}: send the file in it")
    if not isinstance(value, UploadFile):
        raise InvalidRequest(f"form field {field!r} must be a file upload, not a text value")
    return value


def read_options(form: FormData, model: type[M]) -> M:
    return validated(model, {name: form_text(form, name) for name in model.model_fields})
