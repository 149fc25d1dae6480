"""Media by URL (``POST /v1/jobs`` with ``url``): downloaded over http(s) to the job's upload file,
under the webhooks' address rules and the uploads' size limit.

The host is resolved once, every address checked (``webhook.vetted_address``: no loopback,
private, link-local, reserved or embedded-IPv4 address unless the operator allows them), and the
request goes to the checked address (``Host``, SNI and certificate keep the URL's name), so a DNS
answer that changes afterwards reaches nothing. Redirects are not followed (each hop would need the
same checks). Errors: ``fetch_failed`` (400) for an address refused, a connection error, an HTTP
error or a time-out; ``too_large`` (413) past ``max_bytes``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from deepfake_detection.errors import FetchFailed, InvalidOptions, PayloadTooLarge
from deepfake_detection.jobs.webhook import (
    Resolver,
    pinned_request,
    system_resolver,
    vetted_address,
)


def download(
    url: str,
    target: Path,
    *,
    max_bytes: int,
    timeout_s: float,
    allow_private: bool,
    resolve: Resolver = system_resolver,
) -> int:
    """Write ``url``'s body to ``target`` (created here; removed again on any error); its size."""
    try:
        address = vetted_address(
            url,
            allow_private=allow_private,
            resolve=resolve,
            field="url",
            setting="DFD_FETCH_ALLOW_PRIVATE",
        )
    except InvalidOptions as exc:
        raise FetchFailed(exc.message) from exc
    pinned, host, extensions = pinned_request(url, address)
    deadline = time.monotonic() + timeout_s
    try:
        with (
            httpx.Client(timeout=min(timeout_s, 10.0), follow_redirects=False) as client,
            client.stream("GET", pinned, headers=host, extensions=extensions) as response,
        ):
            _check_answer(response, max_bytes)
            return _save(response, target, max_bytes, deadline, timeout_s)
    except httpx.HTTPError as exc:
        target.unlink(missing_ok=True)
        raise FetchFailed(f"url: the download failed: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _check_answer(response: httpx.Response, max_bytes: int) -> None:
    status = response.status_code
    if 300 <= status < 400:
        raise FetchFailed(f"url answered a redirect (HTTP {status}); redirects are not followed")
    if status != 200:
        raise FetchFailed(f"url answered HTTP {status}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"url: the media has {declared} bytes; the limit is {max_bytes}")


def _save(
    response: httpx.Response, target: Path, max_bytes: int, deadline: float, timeout_s: float
) -> int:
    size = 0
    # Readable by the service's user only, like an upload; never an existing file.
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in response.iter_bytes():  # as it arrives: the time limit is checked per piece
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"url: the media is over the limit of {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchFailed(f"url: the download took longer than {timeout_s:g} s")
            out.write(chunk)
    if size == 0:
        raise FetchFailed("url: the answer was empty")
    return size
