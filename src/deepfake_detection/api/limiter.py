"""Admission control: at most ``limit`` analyses in flight per process; the next one is turned away.

Turning a request away at once (503 with ``Retry-After``) keeps latency bounded under a burst
instead of queueing uploads in memory; a load balancer or the client retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from deepfake_detection.errors import Overloaded


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
