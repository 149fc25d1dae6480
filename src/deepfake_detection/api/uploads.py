"""Reading an uploaded image and its options from a request: multipart form or JSON with base64.

The body is bounded before it is read (the app's ``max_body_size``: 413 while reading, or at once
from ``Content-Length``). A multipart file part is spooled by Starlette to an anonymous temporary
file past 1 MiB, unique to the request and removed when the form closes; nothing is written under
a shared name.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from deepfake_detection.api.errors import validation_error
from deepfake_detection.api.schemas import Base64ImageRequest, ImageOptions
from deepfake_detection.errors import InvalidRequest, UnsupportedMedia
from deepfake_detection.media.kind import SNIFF_BYTES
from deepfake_detection.media.video import sniff_video_container

_MAX_FORM_FIELDS = 16
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ImageUpload:
    data: bytes
    options: ImageOptions


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


async def read_image_upload(request: Request) -> ImageUpload:
    """The image and options of ``POST /v1/images``, from a multipart form or a JSON body."""
    kind = media_type(request)
    if kind == "application/json":
        return await _from_json(request)
    if kind == "multipart/form-data":
        return await _from_form(request)
    raise UnsupportedMedia(
        "send multipart/form-data with the image in a 'file' field, or application/json with "
        f"'image_base64' (got {kind or 'no Content-Type'})"
    )


async def _from_form(request: Request) -> ImageUpload:
    option_names = tuple(ImageOptions.model_fields)
    async with open_form(request, allowed=("file", *option_names)) as form:
        data = await form_file(form, "file")
        given = {n: form_text(form, n) for n in option_names}
        options = validated(ImageOptions, {n: v for n, v in given.items() if v is not None})
    return ImageUpload(data, options)


async def _from_json(request: Request) -> ImageUpload:
    try:
        payload = json.loads(await request.body())
    except ValueError as exc:
        raise InvalidRequest(f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        # The parser recurses once per nesting level; no valid request nests more than two deep.
        raise InvalidRequest("the JSON body is nested too deeply") from None
    if not isinstance(payload, dict):
        raise InvalidRequest("the JSON body must be an object with 'image_base64'")
    body = validated(Base64ImageRequest, payload)
    options = ImageOptions.model_validate(body.model_dump(exclude={"image_base64"}))
    return ImageUpload(decode_base64(body.image_base64), options)


def refuse_video(data: bytes) -> None:
    """415 for a video sent to ``POST /v1/images``, with the routes that take it (the image
    decoder would only call it unsupported, or too large)."""
    container = sniff_video_container(data[:SNIFF_BYTES])
    if container is not None:
        raise UnsupportedMedia(
            f"this is a video ({container.upper()}), not an image: send it to POST /v1/videos, "
            "or to POST /v1/jobs when it is longer than POST /v1/videos accepts"
        )


def decode_base64(text: str) -> bytes:
    """Standard base64, whitespace ignored; a ``data:...;base64,`` URL prefix is accepted."""
    if text.startswith("data:") and "," in text[:200]:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequest(f"image_base64 is not valid base64: {exc}") from None
