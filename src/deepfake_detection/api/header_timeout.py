"""uvicorn's HTTP/1.1 protocol (h11) with a deadline on request headers (``DFD_HEADER_TIMEOUT_S``).

uvicorn bounds the idle time between requests (keep-alive) but not the time a client takes to send
a request's headers: a socket that trickles a header byte now and then stays open for ever and
holds a connection. Here the headers of each request must be complete within the deadline, timed
from the connection (first request) or from the end of the previous response; otherwise the
connection is closed. Bodies have their own deadline (``middleware/upload_guard.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from deepfake_detection.config import get_settings


class HeaderTimeoutProtocol(H11Protocol):
    timeout_s: ClassVar[float | None] = None
    """Read from the settings by the first connection of the process (uvicorn builds the
    protocol by its import path in each worker process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headers_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # this request's headers are in

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's headers

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        cls = type(self)
        if cls.timeout_s is None:
            cls.timeout_s = get_settings().header_timeout_s
        self._headers_timer = self.loop.call_later(cls.timeout_s, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._headers_timer is not None:
            self._headers_timer.cancel()
            self._headers_timer = None

    def _headers_too_slow(self) -> None:
        self._headers_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()
