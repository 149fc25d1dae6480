"""What a running service holds: the models (``runtime.models``) and the limits on concurrent
work. Built once per process in the app's lifespan and shared by every request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio import CapacityLimiter

from deepfake_detection.api.limiter import InFlightLimiter
from deepfake_detection.errors import Overloaded
from deepfake_detection.runtime.models import Models

T = TypeVar("T")


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
        read, so a client that sends slowly holds no slot (``upload_guard.py`` bounds those)."""
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
