"""What the sync and async clients share: how each call is made, how an answer is read, and how
long to wait before retrying a 429 or 503."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from deepfake_detection.client.errors import ApiError

RETRY_STATUSES = frozenset({429, 503})
Media = str | Path | bytes
"""A file's path, or its bytes."""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    data: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] | None = None
    params: dict[str, str | int] = field(default_factory=dict)


def headers(api_key: str | None) -> dict[str, str]:
    return {} if api_key is None else {"Authorization": f"Bearer {api_key}"}


def upload(media: Media) -> tuple[str, bytes]:
    """The file name and bytes to send (read once, so a retry sends them again)."""
    if isinstance(media, bytes):
        return "upload", media
    path = Path(media)
    return path.name, path.read_bytes()


def form(**options: object) -> dict[str, str]:
    """Options as form fields; ``None`` means the service's default and is not sent."""
    return {name: str(value) for name, value in options.items() if value is not None}


def analysis_call(path: str, field_name: str, media: Media, options: dict[str, str]) -> Call:
    return Call("POST", path, data=options, files={field_name: upload(media)})


def job_call(media: Media | None, url: str | None, options: dict[str, str]) -> Call:
    if url is not None and media is None:
        return Call("POST", "/v1/jobs", data={**options, "url": url})
    if media is None or url is not None:
        raise ValueError("give either media (a path or bytes) or url")
    return analysis_call("/v1/jobs", "file", media, options)


def decode(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object; ``ApiError`` for an error answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code, message = str(error.get("code")), str(error.get("message"))
        else:
            code, message = f"http_{response.status_code}", response.text[:200]
        raise ApiError(response.status_code, code, message)
    if not isinstance(body, dict):
        raise ApiError(response.status_code, "bad_response", "the answer is not a JSON object")
    return body


def retry_delay(
    response: httpx.Response, attempt: int, backoff_s: float, max_wait_s: float
) -> float:
    """Seconds to wait before retrying: the answer's ``Retry-After`` (seconds or a date) when it
    has one, else an exponential backoff; never more than ``max_wait_s``."""
    value = response.headers.get("Retry-After")
    wait: float = backoff_s * 2**attempt
    if value:
        try:
            wait = float(value)
        except ValueError:
            try:
                moment = parsedate_to_datetime(value)
                wait = moment.timestamp() - _answer_time(response)
            except (TypeError, ValueError):
                pass
    return float(min(max(wait, 0.0), max_wait_s))


def _answer_time(response: httpx.Response) -> float:
    """The answer's own ``Date`` (so clock skew does not matter), else now."""
    date = response.headers.get("Date")
    if date:
        try:
            return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
    return time.time()
