"""Media by URL (``POST /v1/jobs`` with ``url``): downloaded over http(s) to the job's upload file,
under the webhooks' address rules and the uploads' size limit.

The host is resolved once, every address checked (``webhook.vetted_address``: no loopback,
private, link-local, reserved or embedded-IPv4 address unless the operator allows them), and the
request goes to the checked address (``Host``, SNI and certificate keep the URL's name), so a DNS
answer that changes afterwards reaches nothing. Redirects are not followed (each hop would need the
same checks).

Limits that hold against a hostile server:
- one deadline for the whole download, connection and response headers included (a server that
  trickles its headers a byte at a time is cut at it too), through ``deadline.run_within``;
- the body is taken as sent: ``Accept-Encoding: identity`` is asked for and an answer with any
  other ``Content-Encoding`` is refused, so a few KB of nested gzip never inflate in memory
  (media is compressed already: nothing is lost);
- the size is counted on the bytes as they arrive, past ``max_bytes`` the download stops.

Errors: ``fetch_failed`` (400) for an address refused, a connection error, an HTTP error, an
encoded answer or the deadline; ``too_large`` (413) past ``max_bytes``.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from deepfake_detection.errors import FetchFailed, InvalidOptions, PayloadTooLarge, human_size
from deepfake_detection.jobs.deadline import run_within
from deepfake_detection.jobs.webhook import (
    Resolver,
    pinned_request,
    system_resolver,
    vetted_address,
)

_IDENTITY = {"Accept-Encoding": "identity"}


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

    async def fetch() -> int:
        async with (
            httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client,
            client.stream(
                "GET", pinned, headers=host | _IDENTITY, extensions=extensions
            ) as response,
        ):
            _check_answer(response, max_bytes)
            return await _save(response, target, max_bytes)

    try:
        return run_within(timeout_s, fetch)
    except TimeoutError as exc:
        target.unlink(missing_ok=True)
        raise FetchFailed(f"url: the download took longer than {timeout_s:g} s") from exc
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
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise FetchFailed(
            f"url answered with Content-Encoding {encoding[:40]!r}; serve the media file as it "
            "is (Accept-Encoding: identity)"
        )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge.over_bytes("url: the media", declared, max_bytes)


async def _save(response: httpx.Response, target: Path, max_bytes: int) -> int:
    size = 0
    # Readable by the service's user only, like an upload; never an existing file.
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        async for chunk in response.aiter_raw():  # as sent: never decoded here
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(
                    f"url: the media is over the limit of {human_size(max_bytes)}"
                )
            out.write(chunk)
    if size == 0:
        raise FetchFailed("url: the answer was empty")
    return size
