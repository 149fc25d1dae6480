"""The image and options of ``POST /v1/images``, from a multipart form (the image in ``file``) or a
JSON body (the image in ``image_base64``); a video sent there is refused with the routes that take
it."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from fastapi import Request

from deepfake_detection.api.forms.multipart import (
    form_file,
    form_text,
    media_type,
    open_form,
    validated,
)
from deepfake_detection.api.schemas import Base64ImageRequest, ImageOptions
from deepfake_detection.errors import InvalidRequest, UnsupportedMedia
from deepfake_detection.media.kind import SNIFF_BYTES
from deepfake_detection.media.video import sniff_video_container


@dataclass(frozen=True)
class ImageUpload:
    data: bytes
    options: ImageOptions


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
