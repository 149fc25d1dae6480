"""Admission by memory: a budget of decoded pixels in flight, shared by every request and job worker
of a process.

The pixel limit (``max_pixels``) bounds one image; it does not bound three of them at once, and a
small upload can declare a large image (a 194 KB PNG holds 7071x7071 RGBA: 200 MB decoded, about
twice that while it is converted). Each decode reserves its pixels here first and keeps them while
the image is analysed; a reservation that does not fit waits for others to finish, up to a timeout,
then gives up with ``Overloaded`` (503, retry later). One image larger than the whole budget is
admitted alone, when nothing else is in flight, so that every image the limits accept can run.
Once nothing has been in flight for a while, free memory goes back to the OS (``IdleRelease``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from deepfake_detection.errors import Overloaded
from deepfake_detection.media.memory import IdleRelease


class Reservation:
    """Pixels held in a budget until every holder has released them: the request, and a decode
    thread that a timeout abandoned but that still runs (and still holds its memory)."""

    def __init__(self, budget: DecodeBudget, pixels: int) -> None:
        self._budget = budget
        self.pixels = pixels
        self._holders = 1

    def hold(self) -> None:
        with self._budget._changed:
            self._holders += 1

    def release(self) -> None:
        with self._budget._changed:
            self._holders -= 1
            if self._holders == 0:
                self._budget.in_flight -= self.pixels
                self._budget._changed.notify_all()
                if self._budget.idle is not None:
                    self._budget.idle.leave()


class DecodeBudget:
    """Thread-safe: request threads and job worker threads reserve from the same budget."""

    def __init__(self, pixels: int, idle: IdleRelease | None = None) -> None:
        self.pixels = pixels
        self.idle = idle
        self.in_flight = 0
        self._changed = threading.Condition()

    def _fits(self, pixels: int) -> bool:
        return self.in_flight == 0 or self.in_flight + pixels <= self.pixels

    @contextmanager
    def reserve(self, pixels: int, timeout_s: float) -> Iterator[Reservation]:
        """Hold ``pixels`` of the budget for the block (and for whoever else ``hold``s the
        reservation); ``Overloaded`` if they do not become free within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not self._fits(pixels):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._changed.wait(remaining):
                    if self._fits(pixels):
                        break
                    raise Overloaded(
                        f"too many large images are being decoded ({self.in_flight} pixels in "
                        f"flight, the budget is {self.pixels}); retry shortly"
                    )
            self.in_flight += pixels
            if self.idle is not None:
                self.idle.enter()
        reservation = Reservation(self, pixels)
        try:
            yield reservation
        finally:
            reservation.release()
