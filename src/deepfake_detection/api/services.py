"""What a running service holds, built once per process in the app's lifespan and shared by every
request: the models (``runtime.models``) and the limits on concurrent work (``Services``), and the
job service and the synchronous video analyzer (``VideoServices``, from ``job_lifespan.py``).

Admission control: at most ``max_in_flight`` analyses in flight per process; the next one is turned
away at once (503 with ``Retry-After``), which keeps latency bounded under a burst instead of
queueing uploads in memory; a load balancer or the client retries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio import CapacityLimiter

from deepfake_detection.analysis.video import VideoAnalyzer
from deepfake_detection.errors import Overloaded
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.webhook import WebhookPolicy
from deepfake_detection.runtime.models import Models

T = TypeVar("T")


class InFlightLimiter:
    """Counts requests in flight. Used from the event loop only, so the counter needs no lock."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the duration of the block; ``Overloaded`` (503) if none is free."""
        if self.in_flight >= self.limit:
            raise Overloaded(
                f"the service is busy ({self.limit} requests in flight); retry shortly"
            )
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1


@dataclass
class Services:
    models: Models
    in_flight: InFlightLimiter
    # CPU-bound stages run in worker threads, at most this many at once: more would only make each
    # request slower (they compete for the same cores) without raising throughput.
    cpu_slots: CapacityLimiter
    # Drawings of a job's answer (``/annotated``) take minutes for a long video: they get slots of
    # their own, so they never hold one an analysis is waiting for.
    draw_slots: CapacityLimiter = field(default_factory=lambda: CapacityLimiter(1))

    async def run_cpu(self, work: Callable[[], T]) -> T:
        """Run CPU-bound ``work`` in a worker thread, off the event loop, holding one in-flight slot
        (``Overloaded``, 503, when none is free). Routes call it once the request's body has been
        read, so a client that sends slowly holds no slot (``middleware/upload_guard.py`` bounds those)."""
        with self.in_flight.slot():
            return await anyio.to_thread.run_sync(work, limiter=self.cpu_slots)

    async def run_drawing(self, work: Callable[[], T]) -> T:
        """Run a drawing in a worker thread in a drawing slot (``Overloaded``, 503, when none is
        free: the client retries rather than waits minutes)."""
        try:
            self.draw_slots.acquire_nowait()
        except anyio.WouldBlock:
            busy = int(self.draw_slots.total_tokens)
            raise Overloaded(f"{busy} drawing(s) in progress; retry in a few seconds") from None
        try:
            return await anyio.to_thread.run_sync(work)
        finally:
            self.draw_slots.release()


@dataclass
class VideoServices:
    analyzer: VideoAnalyzer
    """For ``POST /v1/videos``: its duration limit is ``video_sync_max_duration_s``."""
    jobs: JobService
    webhooks: WebhookPolicy | None
