"""Rate limits and daily media quotas, with the ``limits`` library: in this process's memory for the
embedded set-up, in Redis (shared by every API replica) for the Celery one. ``RateLimits`` holds the
counters; ``middleware/rate_limit.py`` counts each request, and the analysis routes reserve and
settle their frames here (``reserved_frames``, ``record_analysis``).

- Requests: each key gets its own limit (the key's, else ``DFD_KEY_RATE_LIMIT``), and every request
  counts against ``DFD_RATE_LIMIT`` too, keys or not. Moving windows, so a burst cannot straddle
  two windows for twice the limit. Over a limit: 429 ``rate_limited`` with ``Retry-After``; every
  limited answer carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``.
- Media: frames analysed per key per day (an image is one frame; the key's ``daily_frames``, else
  ``DFD_KEY_DAILY_FRAMES``), in a fixed day window. A request is refused (429 ``quota_exceeded``)
  once the day's frames are used up; the one that crosses the quota is still answered. The frames
  a request may use are reserved in one atomic step before its work (``reserved_frames``: the
  counter's increment decides), and what it did not use is given back after it: concurrent
  requests cannot all pass a check made before any of them was charged.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import anyio.to_thread
from fastapi import Request
from limits import RateLimitItem, RateLimitItemPerDay, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from deepfake_detection.api.middleware.auth import caller_key
from deepfake_detection.config import Settings
from deepfake_detection.errors import QuotaExceeded, RateLimited
from deepfake_detection.keys.key import ApiKey
from deepfake_detection.media.kind import Kind
from deepfake_detection.monitoring.metrics import get_metrics
from deepfake_detection.runtime.options import AnalysisOptions

GLOBAL = "global"


@dataclass(frozen=True)
class Window:
    """Where a caller stands against one limit, for the ``RateLimit-*`` headers."""

    limit: int
    remaining: int
    reset_s: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }


def storage_uri(settings: Settings) -> str:
    if settings.rate_limit_storage:
        return settings.rate_limit_storage
    return settings.redis_url if settings.job_backend == "celery" else "memory://"


class RateLimits:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.storage = storage or storage_from_string(storage_uri(settings))
        self._requests = MovingWindowRateLimiter(self.storage)
        self._frames = FixedWindowRateLimiter(self.storage)
        self._global = parse(settings.rate_limit) if settings.rate_limit else None
        self._key_default = settings.key_rate_limit
        self._daily_frames = settings.key_daily_frames

    def hit(self, key: ApiKey | None) -> Window | None:
        """Count one request of ``key`` (``None``: keys off); ``RateLimited`` when over a limit.
        The window of the narrowest limit that applies, for the answer's headers."""
        shown: Window | None = None
        limits: list[tuple[RateLimitItem, str]] = []
        key_limit = None if key is None else key.rate_limit or self._key_default
        if key is not None and key_limit:
            limits.append((parse(key_limit), f"key:{key.id}"))
        if self._global is not None:
            limits.append((self._global, GLOBAL))
        for item, who in limits:
            allowed = self._requests.hit(item, who)
            window = self._window(item, who)
            if not allowed:
                scope = "this API key" if who != GLOBAL else "the service"
                raise RateLimited(
                    f"too many requests: {scope} may make {item}; retry in {window.reset_s} s",
                    retry_after_s=max(1, window.reset_s),
                )
            if shown is None or window.remaining < shown.remaining:
                shown = window
        return shown

    def check_frames(self, key: ApiKey | None) -> None:
        """``QuotaExceeded`` when ``key`` has used up today's frames."""
        item = self._frames_item(key)
        if key is None or item is None:
            return
        if not self._frames.test(item, "frames", key.id):
            reset = self._window(item, "frames", key.id, moving=False).reset_s
            raise QuotaExceeded(
                f"this API key has used its {item.amount} frames for today; retry in {reset} s",
                retry_after_s=max(1, reset),
            )

    def reserve_frames(self, key: ApiKey | None, frames: int) -> int:
        """Take ``frames`` of ``key``'s quota for today before the work; the frames taken (0 with
        no quota). ``QuotaExceeded``, and nothing taken, when none was left before this request."""
        item = self._frames_item(key)
        if key is None or item is None or frames <= 0:
            return 0
        counter = item.key_for("frames", key.id)
        after = self._frames.storage.incr(counter, item.get_expiry(), amount=frames)
        if after - frames >= item.amount:
            self._frames.storage.incr(counter, item.get_expiry(), amount=-frames)
            self.check_frames(key)  # words the refusal, with the window's reset
            raise QuotaExceeded(f"this API key has used its {item.amount} frames for today")
        return frames

    def release_frames(self, key: ApiKey | None, frames: int) -> None:
        """Give back ``frames`` reserved for work that did not use them."""
        item = self._frames_item(key)
        if key is not None and item is not None and frames > 0:
            counter = item.key_for("frames", key.id)
            self._frames.storage.incr(counter, item.get_expiry(), amount=-frames)

    def charge_frames(self, key: ApiKey | None, frames: int) -> None:
        """Count ``frames`` analysed for ``key`` today (past the quota too: then it is spent)."""
        item = self._frames_item(key)
        if key is not None and item is not None and frames > 0:
            self._frames.hit(item, "frames", key.id, cost=frames)

    def _frames_item(self, key: ApiKey | None) -> RateLimitItem | None:
        quota = None if key is None else key.daily_frames or self._daily_frames
        return None if quota is None else RateLimitItemPerDay(quota)

    def _window(self, item: RateLimitItem, *who: str, moving: bool = True) -> Window:
        limiter = self._requests if moving else self._frames
        stats = limiter.get_window_stats(item, *who)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Window(limit=item.amount, remaining=stats.remaining, reset_s=reset)


async def check_frames(limits: RateLimits | None, key: ApiKey | None) -> None:
    if limits is not None and key is not None:
        await anyio.to_thread.run_sync(limits.check_frames, key)


async def charge_frames(limits: RateLimits | None, key: ApiKey | None, frames: int) -> None:
    if limits is not None and key is not None:
        await anyio.to_thread.run_sync(limits.charge_frames, key, frames)


async def reserve_frames(limits: RateLimits | None, key: ApiKey | None, frames: int) -> int:
    if limits is None or key is None:
        return 0
    return await anyio.to_thread.run_sync(limits.reserve_frames, key, frames)


async def release_frames(limits: RateLimits | None, key: ApiKey | None, frames: int) -> None:
    if limits is not None and key is not None and frames > 0:
        await anyio.to_thread.run_sync(limits.release_frames, key, frames)


def rate_limits(request: Request) -> RateLimits | None:
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    return limits


async def check_quota(request: Request) -> None:
    """``QuotaExceeded`` (429) when the caller's key has no frames left today."""
    await check_frames(rate_limits(request), caller_key(request.scope))


@dataclass
class Reservation:
    frames: int
    """Frames taken from the caller's quota before the work (0: no quota applies)."""
    used: int = 0
    """Frames the work used: set once it succeeded; the rest goes back."""


@asynccontextmanager
async def reserved_frames(request: Request, frames: int) -> AsyncIterator[Reservation]:
    """Reserve the most ``frames`` the work may use (``QuotaExceeded``, 429, when the caller's day
    is used up), then settle: what the work did not use goes back, all of it when it failed."""
    limits, key = rate_limits(request), caller_key(request.scope)
    reservation = Reservation(await reserve_frames(limits, key, frames))
    try:
        yield reservation
    finally:
        with anyio.CancelScope(shield=True):  # a client gone meanwhile still gets its refund
            if reservation.used > reservation.frames:
                await charge_frames(limits, key, reservation.used - reservation.frames)
            else:
                await release_frames(limits, key, reservation.frames - reservation.used)


async def record_analysis(
    request: Request, result: Mapping[str, object], reservation: Reservation
) -> None:
    """Charge the analysis's frames against its reservation and record it in the metrics."""
    get_metrics().observe_analysis(result)
    reservation.used = frames_analysed(result)


def frames_analysed(result: Mapping[str, object]) -> int:
    """1 for an image, the sampled frames for a video; plus one per face or person explained
    (a map costs about 50 classifier runs: more than the analysis of a frame)."""
    frames = result.get("sampled_frames") if "video" in result else 1
    items = result.get("persons" if "video" in result else "faces")
    explained = (
        sum(
            1 for item in items if isinstance(item, Mapping) and item.get("explanation") is not None
        )
        if isinstance(items, list)
        else 0
    )
    return (frames if isinstance(frames, int) else 0) + explained


def most_frames(settings: Settings, kind: Kind, options: AnalysisOptions) -> int:
    """The most frames an analysis with ``options`` may be charged: its frames (``job_frames``)
    and, with ``explain``, one per face or person it may explain."""
    explained = settings.explain_max_faces if options.explain else 0
    return job_frames(settings, kind, options) + explained


def job_frames(settings: Settings, kind: Kind, options: AnalysisOptions) -> int:
    """What a job is charged when it is queued: the most frames it may analyse (its result is not
    known yet, and the worker that computes it may run anywhere)."""
    if kind == "image":
        return 1
    if options.every_s is not None:
        return settings.video_max_frames
    return min(options.frames or settings.video_frames, settings.video_max_frames)
