"""One deadline for a whole piece of network I/O.

httpx's timeouts bound each read, write or connect on its own: a peer that sends a byte every few
seconds keeps a request alive for ever. ``run_within`` runs the request as a coroutine on an event
loop of its own in the calling thread (a worker thread: the service calls downloads and webhooks
off its event loop) and cancels it at the deadline, wherever it waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def run_within(timeout_s: float, work: Callable[[], Awaitable[T]]) -> T:
    """``work()``'s result; ``TimeoutError`` once ``timeout_s`` seconds have passed."""

    async def bounded() -> T:
        return await asyncio.wait_for(work(), timeout_s)

    return asyncio.run(bounded())
