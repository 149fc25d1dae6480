"""A limit on request bodies, enforced before and while they are read (413 ``too_large``).

A declared ``Content-Length`` over the limit is refused before any byte of the body is read; a body
without one (chunked) is counted as it arrives and refused as soon as it passes the limit, so the
service never holds more than the limit. (Starlette's own limiter answers plain text; this one
answers the service's JSON error.)
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.errors import package_error_response
from deepfake_detection.config import Settings
from deepfake_detection.errors import PayloadTooLarge, human_size

# The routes that take a video (or a job's media): their limit is the video's, not the image's.
VIDEO_PATHS = ("/v1/videos", "/v1/jobs", "/detect_deepfake_video")
# Room for the multipart framing and the option fields, or for the JSON keys around a base64 image.
_BODY_OVERHEAD = 64 * 1024


def request_body_limit(settings: Settings) -> int:
    """Bytes a request body may have: an upload of ``max_upload_bytes``, base64-encoded, plus room
    for the rest of the body. The decoded image is checked against ``max_upload_bytes`` itself."""
    return -(-settings.max_upload_bytes // 3) * 4 + _BODY_OVERHEAD


def body_limits(settings: Settings) -> dict[str, int]:
    """Body limits (bytes) by path prefix: every route's, and the larger one of the video routes."""
    video = max(settings.video_max_bytes, settings.max_upload_bytes) + _BODY_OVERHEAD
    return {"/": request_body_limit(settings), **dict.fromkeys(VIDEO_PATHS, video)}


def too_large_message(limit: int, declared: int | None = None) -> str:
    if declared is None:
        return f"the request body is over this route's limit of {human_size(limit)}"
    return PayloadTooLarge.over_bytes("the request body", declared, limit).message


class BodyLimitMiddleware:
    """``limits`` maps path prefixes to byte limits; the longest matching prefix applies."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, int]) -> None:
        self.app = app
        self.limits = sorted(limits.items(), key=lambda item: len(item[0]), reverse=True)

    def limit_for(self, path: str) -> int | None:
        return next((limit for prefix, limit in self.limits if path.startswith(prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = package_error_response(
                PayloadTooLarge(too_large_message(limit, int(declared)))
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes FastAPI's body parsing unchanged (other errors become
                    # 400s there); the error handlers answer it as JSON.
                    raise HTTPException(413, detail=too_large_message(limit))
            return message

        await self.app(scope, limited_receive, send)
