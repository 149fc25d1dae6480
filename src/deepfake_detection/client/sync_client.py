"""``Client``: the service over HTTP, blocking (httpx)."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

import httpx

from deepfake_detection.client.calls import (
    RETRY_STATUSES,
    Call,
    Media,
    analysis_call,
    decode,
    form,
    headers,
    job_call,
    retry_delay,
)
from deepfake_detection.client.results import ImageResult, Job, JobPage, VideoResult

Progress = Callable[[Job], None]


class Client:
    """Retries 429 and 503 answers ``retries`` times, waiting what ``Retry-After`` says (at most
    ``max_wait_s``). Errors are ``ApiError`` with the service's code and message."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 120.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_wait_s: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url, headers=headers(api_key), timeout=timeout_s, transport=transport
        )
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s

    def analyze_image(
        self,
        media: Media,
        *,
        detector: str | None = None,
        threshold: float | None = None,
        max_faces: int | None = None,
    ) -> ImageResult:
        options = form(detector=detector, threshold=threshold, max_faces=max_faces)
        return ImageResult.from_json(
            self._send(analysis_call("/v1/images", "file", media, options))
        )

    def analyze_video(
        self,
        media: Media,
        *,
        frames: int | None = None,
        every_s: float | None = None,
        detector: str | None = None,
        threshold: float | None = None,
        aggregate: str | None = None,
        max_faces: int | None = None,
    ) -> VideoResult:
        """A short video, answered at once (longer ones: ``submit_job``)."""
        options = form(
            frames=frames,
            every_s=every_s,
            detector=detector,
            threshold=threshold,
            aggregate=aggregate,
            max_faces=max_faces,
        )
        return VideoResult.from_json(
            self._send(analysis_call("/v1/videos", "file", media, options))
        )

    def submit_job(
        self,
        media: Media | None = None,
        *,
        url: str | None = None,
        callback_url: str | None = None,
        **options: str | int | float | None,
    ) -> Job:
        """Queue an image or a video (a file, bytes, or a ``url`` the service downloads)."""
        data = form(callback_url=callback_url, **options)
        accepted = self._send(job_call(media, url, data))
        return self.get_job(str(accepted["id"]))

    def get_job(self, job_id: str) -> Job:
        return Job.from_json(self._send(Call("GET", f"/v1/jobs/{job_id}")))

    def wait(
        self,
        job_id: str,
        *,
        progress: Progress | None = None,
        poll_s: float = 0.5,
        timeout_s: float | None = None,
    ) -> Job:
        """Poll until the job has finished; ``progress(job)`` after each poll. A job that failed
        is returned as it is (``status``, ``error_code``); ``TimeoutError`` after ``timeout_s``."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            job = self.get_job(job_id)
            if progress is not None:
                progress(job)
            if job.finished:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} is still {job.status} after {timeout_s} s")
            time.sleep(poll_s)

    def list_jobs(
        self, *, status: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> JobPage:
        """A page of the caller's jobs, newest first, each with a summary of its result
        (``get_job`` has the result); pass ``next_cursor`` as ``cursor`` for the next page."""
        params: dict[str, str | int] = {"limit": limit}
        if status is not None:
            params["status"] = status
        if cursor is not None:
            params["cursor"] = cursor
        return JobPage.from_json(self._send(Call("GET", "/v1/jobs", params=params)))

    def delete_job(self, job_id: str) -> str:
        """Cancel or delete; ``cancelled`` or ``deleted``."""
        return str(self._send(Call("DELETE", f"/v1/jobs/{job_id}"))["status"])

    def _send(self, call: Call) -> dict[str, object]:
        attempt = 0
        while True:
            response = self._http.request(
                call.method, call.path, data=call.data, files=call.files, params=call.params
            )
            if response.status_code not in RETRY_STATUSES or attempt >= self.retries:
                return decode(response)
            time.sleep(retry_delay(response, attempt, self.backoff_s, self.max_wait_s))
            attempt += 1

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
