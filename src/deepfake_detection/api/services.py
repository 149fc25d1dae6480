"""What a running service holds: the models (``runtime.models``) and the limits on concurrent
work. Built once per process in the app's lifespan and shared by every request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from deepfake_detection.api.limiter import InFlightLimiter
from deepfake_detection.runtime.models import Models

T = TypeVar("T")


@dataclass
class Services:
    models: Models
    in_flight: InFlightLimiter
    # CPU-bound stages run in worker threads, at most this many at once: more would only make each
    # request slower (they compete for the same cores) without raising throughput.
    cpu_slots: CapacityLimiter

    async def run_cpu(self, work: Callable[[], T]) -> T:
        """Run CPU-bound ``work`` in a worker thread, off the event loop, holding one in-flight slot
        (``Overloaded``, 503, when none is free). Routes call it once the request's body has been
        read, so a client that sends slowly holds no slot (``upload_guard.py`` bounds those)."""
        with self.in_flight.slot():
            return await anyio.to_thread.run_sync(work, limiter=self.cpu_slots)
